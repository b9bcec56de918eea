// Environment, validated with zod once per process: a bad value stops start-up
// with a message that names it, instead of failing later on a request.
import { z } from 'zod';
import { msToNumber } from '@temporalio/common/lib/time';
import { DEFAULT_APPROVAL_WINDOWS } from './contract/approval';
import { DEFAULT_DATABASE_URL } from './database-url';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      try {
        const ms = msToNumber(value as Parameters<typeof msToNumber>[0]);
        if (Number.isFinite(ms) && ms > 0) return ms;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration such as 90s, 15m or 24h` });
      return z.NEVER;
    });

/** Production (NODE_ENV=production, as under `next start`) has no dev defaults for these. */
const requiredInProduction =
  (names: readonly string[]) =>
  (env: { NODE_ENV?: string } & Record<string, unknown>, ctx: z.RefinementCtx): void => {
    if (env.NODE_ENV !== 'production') return;
    for (const name of names) {
      if (env[name] === undefined || env[name] === '') ctx.addIssue({ code: 'custom', path: [name], message: 'is required in production' });
    }
  };

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * next-auth marks its cookies Secure when NEXTAUTH_URL is https, so production
 * needs an https one. The one exception, for testing a production build on
 * this machine (the e2e suite runs `next start` on http://127.0.0.1): http on
 * a loopback host, which no other machine can reach.
 */
function httpsInProduction(env: { NODE_ENV?: string; NEXTAUTH_URL?: string }, ctx: z.RefinementCtx): void {
  if (env.NODE_ENV !== 'production' || !env.NEXTAUTH_URL) return;
  const url = new URL(env.NEXTAUTH_URL);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname))) return;
  ctx.addIssue({
    code: 'custom',
    path: ['NEXTAUTH_URL'],
    message: `must be an https:// URL in production, so sign-in cookies are Secure (http is accepted only for localhost and 127.0.0.1), not ${url.origin}`,
  });
}

/** A bare number is milliseconds: "5" would be 5 ms, never what was meant. */
const AT_LEAST_100MS = 'must be at least 100ms (write a unit: 5s, not 5)';

const schemas = {
  database: z
    .object({ NODE_ENV: z.string().optional(), DATABASE_URL: z.string().url().optional() })
    .superRefine(requiredInProduction(['DATABASE_URL']))
    // The embedded dev server, whose password is known: never a production default.
    .transform((env) => ({ DATABASE_URL: env.DATABASE_URL ?? DEFAULT_DATABASE_URL })),
  auth: z
    .object({
      NODE_ENV: z.string().optional(),
      NEXTAUTH_SECRET: z.string().min(32, 'must be at least 32 characters (try: openssl rand -base64 32)').optional(),
      NEXTAUTH_URL: z.string().url().optional(),
      /** Reverse proxies in front of the web server, each appending to X-Forwarded-For (lib/auth/client-address.ts). */
      TRUSTED_PROXIES: z.coerce.number().int().min(1).max(10).default(1),
    })
    .superRefine(requiredInProduction(['NEXTAUTH_SECRET', 'NEXTAUTH_URL']))
    .superRefine(httpsInProduction),
  /** Each process's connection pool (lib/db.ts); decisions may hold half of it (commands/in-flight.ts). */
  databasePool: z.object({
    DATABASE_POOL_SIZE: z.coerce
      .number({ error: 'must be a whole number of connections, such as 20' })
      .int('must be a whole number of connections, such as 20')
      .min(2, 'must be at least 2: decisions may hold half of the pool, pages keep the rest')
      .max(1000, 'must be at most 1000 connections per process')
      .default(20),
    /** The longest wait for a connection, new or idle in the pool (pg's connectionTimeoutMillis bounds both). */
    DATABASE_CONNECT_TIMEOUT: duration('5s').refine((ms) => ms >= 100, AT_LEAST_100MS),
    /** PostgreSQL's statement_timeout on every connection of the pool. */
    DATABASE_STATEMENT_TIMEOUT: duration('15s').refine((ms) => ms >= 100, AT_LEAST_100MS),
  }),
  temporal: z.object({
    TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('countersign'),
    TEMPORAL_UI_URL: z.string().url().default('http://localhost:8233'),
  }),
  approvals: z.object({
    APPROVAL_WINDOW: duration('24h'),
    /** Windows before a request expires: each is one attempt of the approval activity. */
    APPROVAL_WINDOWS: z.coerce.number().int().min(1).max(100).default(DEFAULT_APPROVAL_WINDOWS),
  }),
  reconciler: z.object({
    RECONCILE_INTERVAL: duration('15s'),
    RECONCILE_GRACE: duration('30s'),
  }),
  /** The worker's mail (lib/email): SMTP_URL unset means no mail is sent, which is never an error. */
  mail: z
    .object({
      NODE_ENV: z.string().optional(),
      SMTP_URL: z
        .string()
        .optional()
        .transform((value) => value || undefined)
        .pipe(
          z
            .string()
            .regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL, such as smtp://user:password@mail.example.com:587')
            .optional(),
        ),
      MAIL_FROM: z.string().min(3).default('Countersign <countersign@localhost>'),
      /** Where the links in a mail point: the web app's own address. */
      NEXTAUTH_URL: z.string().url().optional(),
      /** How often the worker's dispatcher looks for mail and events to send. */
      OUTBOX_INTERVAL: duration('1s'),
    })
    // A mail's links point at the web app: in production its address must be given, not guessed.
    .superRefine((env, ctx) => {
      if (env.NODE_ENV === 'production' && env.SMTP_URL && !env.NEXTAUTH_URL) {
        ctx.addIssue({
          code: 'custom',
          path: ['NEXTAUTH_URL'],
          message: 'is required in production when SMTP_URL is set (the links in mails point there)',
        });
      }
    })
    .transform((env) => ({ ...env, NEXTAUTH_URL: env.NEXTAUTH_URL ?? 'http://localhost:3000' })),
} as const;

type Schemas = typeof schemas;
const cache = new Map<keyof Schemas, unknown>();

/** Parses one section of an environment, uncached; the error names every bad variable. */
export function parseEnv<K extends keyof Schemas>(key: K, source: Record<string, string | undefined>): z.infer<Schemas[K]> {
  const parsed = schemas[key].safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid environment:\n${problems}`);
  }
  return parsed.data as z.infer<Schemas[K]>;
}

function read<K extends keyof Schemas>(key: K): z.infer<Schemas[K]> {
  if (!cache.has(key)) cache.set(key, parseEnv(key, process.env));
  return cache.get(key) as z.infer<Schemas[K]>;
}

export const databaseEnv = () => read('database');
export const databasePoolEnv = () => read('databasePool');
export const authEnv = () => read('auth');
export const temporalEnv = () => read('temporal');
export const approvalsEnv = () => read('approvals');
export const reconcilerEnv = () => read('reconciler');
export const mailEnv = () => read('mail');
