// Company sign-in's settings, validated with the rest of lib/env.ts's auth
// section: the issuer, client id and secret come together or not at all, and
// password sign-in may be off only when company sign-in is on. Pure: the web
// process reads them, and the unit tests parse them.
import { z } from 'zod';
import { NAME_MESSAGE, NAME_PATTERN } from '../contract/approval';
import { listInWords } from '../directory/errors';
import { normaliseGroupName, type OidcMapping } from './oidc-claims';

/** An empty variable (`OIDC_ISSUER=` in a .env file) is an unset one. */
const setting = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** "a, b ,c" → ['a', 'b', 'c']; at least one name. */
const nameList = (what: string) =>
  z
    .string()
    .transform((value) => [...new Set(value.split(',').map((name) => name.trim()))].filter(Boolean))
    .refine((names) => names.length > 0, `must name at least one ${what}, separated by commas`);

/** Countersign group names, as admins create them, or `*` for every group. */
const managedGroups = z.string().transform((value, ctx): '*' | string[] => {
  if (value.trim() === '*') return '*';
  const names = [...new Set(value.split(',').map((name) => name.trim()))].filter(Boolean);
  const bad = names.filter((name) => !NAME_PATTERN.test(name));
  if (names.length === 0) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be * (every group) or Countersign group names separated by commas, such as finance,ops',
    });
  } else if (bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `${listInWords(bad.map((name) => `"${name}"`))} ${bad.length === 1 ? 'is not a Countersign group name' : 'are not Countersign group names'}: each ${NAME_MESSAGE}`,
    });
  }
  return names.length === 0 || bad.length > 0 ? z.NEVER : names;
});

export const oidcSettingsShape = {
  /** The provider's issuer URL: its discovery document is at /.well-known/openid-configuration under it. */
  OIDC_ISSUER: setting(z.string().url('must be the provider’s issuer URL, such as https://login.example.com/realms/acme')),
  OIDC_CLIENT_ID: setting(z.string().max(500)),
  OIDC_CLIENT_SECRET: setting(z.string().max(2000)),
  /** The sign-in button says "Sign in with <OIDC_NAME>". */
  OIDC_NAME: setting(z.string().trim().min(1).max(60, 'must be at most 60 characters: it labels the sign-in button')),
  OIDC_SCOPES: setting(
    z.string().refine((value) => value.split(/\s+/).includes('openid'), 'must include openid, such as "openid email profile"'),
  ),
  OIDC_GROUPS_CLAIM: setting(z.string().trim().min(1).max(200)),
  OIDC_GROUPS: setting(managedGroups),
  OIDC_ADMIN_GROUPS: setting(nameList('provider group')),
  PASSWORD_SIGN_IN: setting(z.enum(['on', 'off'], { error: 'must be on or off' })),
};

type Settings = { [K in keyof typeof oidcSettingsShape]?: z.infer<(typeof oidcSettingsShape)[K]> };

const REQUIRED = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;
const OIDC_NAMES = Object.keys(oidcSettingsShape).filter((name) => name.startsWith('OIDC_')) as (keyof Settings)[];

/** Partial settings stop start-up, naming what is missing: half a configuration would fail at the first sign-in. */
export function requireCompleteOidc(env: Settings, ctx: z.RefinementCtx): void {
  const given = OIDC_NAMES.filter((name) => env[name] !== undefined);
  const missing = REQUIRED.filter((name) => env[name] === undefined);
  if (given.length > 0) {
    for (const name of missing) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `is required for company sign-in (${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set)`,
      });
    }
  } else if (env.PASSWORD_SIGN_IN === 'off') {
    ctx.addIssue({
      code: 'custom',
      path: ['PASSWORD_SIGN_IN'],
      message: 'can be off only with company sign-in: set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, or nobody can sign in',
    });
  }
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** What the sign-in button calls the provider. */
  name: string;
  scopes: string;
  mapping: OidcMapping;
}

export interface CompanySignIn {
  /** False with PASSWORD_SIGN_IN=off: only the company button, and the password endpoint refuses. */
  passwordSignIn: boolean;
  oidc: OidcSettings | null;
}

/** The validated settings in the shape lib/auth uses (call after requireCompleteOidc). */
export function companySignIn(env: Settings): CompanySignIn {
  const { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret } = env;
  const oidc =
    issuer && clientId && clientSecret
      ? {
          issuer,
          clientId,
          clientSecret,
          name: env.OIDC_NAME ?? 'your company account',
          scopes: env.OIDC_SCOPES ?? 'openid email profile',
          mapping: {
            groupsClaim: env.OIDC_GROUPS_CLAIM ?? 'groups',
            managedGroups: env.OIDC_GROUPS ?? '*',
            adminGroups: env.OIDC_ADMIN_GROUPS?.map(normaliseGroupName) ?? null,
          },
        }
      : null;
  return { passwordSignIn: env.PASSWORD_SIGN_IN !== 'off', oidc };
}
