// Company sign-in through any OpenID Connect provider (Okta, Entra ID,
// Google, Keycloak…), as a next-auth OAuth provider: discovery from the
// issuer, the authorization code flow with PKCE and state, the ID token
// verified by openid-client. Its tokens stay on the server: the session
// cookie carries only who signed in (lib/auth/session.ts).
import 'server-only';
import type { User } from 'next-auth';
import type { OAuthConfig } from 'next-auth/providers/oauth';
import { getDb } from '../db';
import { syncCompanyUser } from '../directory/company-sign-in';
import { completeClaims, lacksClaims, readOidcIdentity } from './oidc-claims';
import type { OidcSettings } from './oidc-settings';
import { signInErrorPath } from './sign-in-errors';

/** next-auth's id for it: the callback is /api/auth/callback/oidc (register that redirect URI at the provider). */
export const OIDC_PROVIDER_ID = 'oidc';

type Claims = Record<string, unknown> & { sub: string };

/** openid-client's TokenSet, which next-auth's types describe only by its fields: `claims()` reads the verified ID token. */
function hasVerifiedClaims(tokens: object): tokens is { claims(): Claims; access_token?: string } {
  return 'claims' in tokens && typeof tokens.claims === 'function' && 'id_token' in tokens && typeof tokens.id_token === 'string';
}

/** How long a call to the provider (discovery, token, userinfo) may take; openid-client's default is 3.5 s. */
const PROVIDER_TIMEOUT_MS = 10_000;

export function companySignInProvider(settings: OidcSettings): OAuthConfig<Claims> {
  return {
    id: OIDC_PROVIDER_ID,
    name: settings.name,
    type: 'oauth',
    wellKnown: `${settings.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    authorization: { params: { scope: settings.scopes } },
    // PKCE against a stolen code, state against a forged callback; both live in httpOnly cookies until the callback.
    checks: ['pkce', 'state'],
    idToken: true,
    httpOptions: { timeout: PROVIDER_TIMEOUT_MS },
    userinfo: {
      /**
       * The ID token's claims, verified by openid-client just before (its
       * signature, issuer, audience and expiry). Many providers put the email
       * or the groups only in userinfo (oidc-provider, Okta's org server):
       * userinfo then fills what the token lacks, for the same subject.
       */
      async request({ tokens, client }) {
        if (!hasVerifiedClaims(tokens)) throw new Error('The provider sent no ID token.');
        const claims = tokens.claims();
        if (!lacksClaims(claims, settings.mapping) || !client.issuer.metadata.userinfo_endpoint || !tokens.access_token) return claims;
        const userinfo: Record<string, unknown> = await client.userinfo(tokens.access_token);
        if (userinfo.sub !== claims.sub) throw new Error('The provider’s userinfo is about someone other than its ID token.');
        return completeClaims(claims, userinfo);
      },
    },
    // Who this is at the provider; the signIn callback (companySignIn) puts Countersign's user in its place.
    profile: (claims) => ({ id: claims.sub, email: typeof claims.email === 'string' ? claims.email : '', name: null, role: 'REVIEWER' }),
  };
}

/**
 * next-auth's signIn callback for the company provider: the directory follows
 * the claims, then `user` becomes Countersign's user (its id and role are
 * what the session token carries). A refusal is a path to the sign-in page
 * with a code it words; it never carries the provider's text.
 */
export async function companySignIn(settings: OidcSettings, user: User, claims: unknown): Promise<true | string> {
  if (!claims || typeof claims !== 'object') return signInErrorPath('CompanySignInFailed');
  const read = readOidcIdentity(claims as Record<string, unknown>, settings.mapping);
  if (!read.ok) return signInErrorPath(read.refusal);
  try {
    const outcome = await syncCompanyUser(getDb(), read.identity, settings.mapping);
    if (!outcome.ok) return signInErrorPath(outcome.refusal);
    Object.assign(user, outcome.user);
    return true;
  } catch (error) {
    // The database, most likely: the person is told to try again; the log gets the cause (no token is in it).
    console.error(`[countersign] company sign-in of ${read.identity.email} failed:`, error);
    return signInErrorPath('CompanySignInFailed');
  }
}
