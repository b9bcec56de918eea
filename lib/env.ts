// Environment, validated with zod once per process: a bad value stops start-up
// with a message that names it, instead of failing later on a request.
import { z } from 'zod';
import { msToNumber } from '@temporalio/common/lib/time';
import { DEFAULT_APPROVAL_WINDOWS } from './contract/approval';
import { DEFAULT_DATABASE_URL } from './database-url';
import { companySignIn, oidcSettingsShape, requireCompleteOidc } from './auth/oidc-settings';
import { isKeyOf, readPemSetting, type PemCertificate, type PemKind, type PemPrivateKey, type PemSetting } from './pem-setting';

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

/** The company sign-in's tokens and discovery travel encrypted in production, with the same loopback exception. */
function issuerHttpsInProduction(env: { NODE_ENV?: string; OIDC_ISSUER?: string }, ctx: z.RefinementCtx): void {
  if (env.NODE_ENV !== 'production' || !env.OIDC_ISSUER) return;
  const url = new URL(env.OIDC_ISSUER);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname))) return;
  ctx.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: `must be an https:// URL in production, not ${url.origin}` });
}

/** A bare number is milliseconds: "5" would be 5 ms, never what was meant. */
const AT_LEAST_100MS = 'must be at least 100ms (write a unit: 5s, not 5)';

/** A certificate or key setting: a path or PEM text, read and checked once (lib/pem-setting.ts). */
const pemSetting = <K extends PemKind>(kind: K) =>
  z
    .string()
    .optional()
    .transform((value, ctx): PemSetting<K> | undefined => {
      if (!value) return undefined;
      const read = readPemSetting(value, kind);
      if ('problem' in read) {
        ctx.addIssue({ code: 'custom', message: read.problem });
        return z.NEVER;
      }
      return read;
    });

/** Temporal's TLS settings must agree with each other; each problem names the setting to change. */
function temporalTlsRules(
  env: {
    TEMPORAL_TLS?: 'true' | 'false';
    TEMPORAL_TLS_CA?: PemCertificate;
    TEMPORAL_TLS_CERT?: PemCertificate;
    TEMPORAL_TLS_KEY?: PemPrivateKey;
    TEMPORAL_TLS_SERVER_NAME?: string;
  },
  ctx: z.RefinementCtx,
): void {
  const { TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key } = env;
  if (cert && !key) {
    ctx.addIssue({
      code: 'custom',
      path: ['TEMPORAL_TLS_KEY'],
      message: "is required with TEMPORAL_TLS_CERT (the client certificate's private key)",
    });
  }
  if (key && !cert) {
    ctx.addIssue({
      code: 'custom',
      path: ['TEMPORAL_TLS_CERT'],
      message: 'is required with TEMPORAL_TLS_KEY (the certificate of that private key)',
    });
  }
  if (cert && key && !isKeyOf(key, cert)) {
    ctx.addIssue({ code: 'custom', path: ['TEMPORAL_TLS_KEY'], message: 'is not the private key of the certificate in TEMPORAL_TLS_CERT' });
  }
  if (env.TEMPORAL_TLS === 'false') {
    const given = (['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_SERVER_NAME'] as const).filter(
      (name) => env[name],
    );
    if (given.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['TEMPORAL_TLS'],
        message: `is false, but ${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set, which only TLS uses: unset one or the other`,
      });
    }
  }
}

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
      /** Company sign-in (OpenID Connect) and PASSWORD_SIGN_IN (lib/auth/oidc-settings.ts). */
      ...oidcSettingsShape,
    })
    .superRefine(requiredInProduction(['NEXTAUTH_SECRET', 'NEXTAUTH_URL']))
    .superRefine(httpsInProduction)
    .superRefine(issuerHttpsInProduction)
    .superRefine(requireCompleteOidc)
    .transform((env) => ({ ...env, ...companySignIn(env) })),
  /** Each process's connection pool (lib/db.ts); claims may hold half of it across Temporal (commands/in-flight.ts). */
  databasePool: z.object({
    DATABASE_POOL_SIZE: z.coerce
      .number({ error: 'must be a whole number of connections, such as 20' })
      .int('must be a whole number of connections, such as 20')
      .min(2, 'must be at least 2: claims may hold half of the pool, pages keep the rest')
      .max(1000, 'must be at most 1000 connections per process')
      .default(20),
    /** The longest wait for a connection, new or idle in the pool (pg's connectionTimeoutMillis bounds both). */
    DATABASE_CONNECT_TIMEOUT: duration('5s').refine((ms) => ms >= 100, AT_LEAST_100MS),
    /** PostgreSQL's statement_timeout on every connection of the pool. */
    DATABASE_STATEMENT_TIMEOUT: duration('15s').refine((ms) => ms >= 100, AT_LEAST_100MS),
  }),
  /**
   * Where Temporal is and how to reach it: plain for the dev server; TLS, mTLS or
   * an API key for Temporal Cloud or a secured cluster. The names are those of
   * Temporal's reference application and Web UI, so an existing setup carries
   * over. One builder turns them into connection options (lib/temporal-connection.ts).
   */
  temporal: z
    .object({
      TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
      TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
      TEMPORAL_TASK_QUEUE: z.string().min(1).default('countersign'),
      TEMPORAL_UI_URL: z.string().url().default('http://localhost:8233'),
      /** Unset: TLS when a setting below asks for it; an API key does, as in Temporal's SDKs. */
      TEMPORAL_TLS: z
        .string()
        .optional()
        .transform((value) => value || undefined)
        .pipe(z.enum(['true', 'false'], { error: 'must be true or false' }).optional()),
      /** The CA that signed the server's certificate, when the system's CAs did not (a private cluster). */
      TEMPORAL_TLS_CA: pemSetting('certificate'),
      /** mTLS: the client certificate and its private key, both or neither. */
      TEMPORAL_TLS_CERT: pemSetting('certificate'),
      TEMPORAL_TLS_KEY: pemSetting('private key'),
      /** The name the server's certificate is checked against, when it is not the host in TEMPORAL_ADDRESS. */
      TEMPORAL_TLS_SERVER_NAME: z
        .string()
        .optional()
        .transform((value) => value || undefined)
        .pipe(
          z
            .string()
            .regex(/^[A-Za-z0-9.-]+$/, 'must be a host name, such as temporal.example.com')
            .optional(),
        ),
      /** Sent as `authorization: Bearer <key>` on every call (Temporal Cloud's API keys). */
      TEMPORAL_API_KEY: z
        .string()
        .optional()
        .transform((value) => value || undefined)
        .pipe(z.string().regex(/^\S+$/, 'must be one line with no spaces (a trailing newline, perhaps)').optional()),
    })
    .superRefine(temporalTlsRules)
    .transform(({ TEMPORAL_TLS, ...env }) => ({
      ...env,
      TEMPORAL_TLS:
        TEMPORAL_TLS === 'true' ||
        (TEMPORAL_TLS === undefined &&
          Boolean(env.TEMPORAL_TLS_CA || env.TEMPORAL_TLS_CERT || env.TEMPORAL_TLS_SERVER_NAME || env.TEMPORAL_API_KEY)),
    })),
  approvals: z.object({
    APPROVAL_WINDOW: duration('24h'),
    /** Windows before a request expires: each is one attempt of the approval activity. */
    APPROVAL_WINDOWS: z.coerce.number().int().min(1).max(100).default(DEFAULT_APPROVAL_WINDOWS),
  }),
  reconciler: z.object({
    RECONCILE_INTERVAL: duration('15s'),
    RECONCILE_GRACE: duration('30s'),
  }),
  /** The web app's GET /api/metrics (lib/metrics): unset or empty, the endpoint answers 404 as if it did not exist. */
  metrics: z.object({
    METRICS_TOKEN: z
      .string()
      .optional()
      .transform((value) => value || undefined)
      .pipe(z.string().min(24, 'must be at least 24 characters (try: openssl rand -hex 32)').optional()),
  }),
  /** The worker's Temporal SDK metrics (worker/telemetry.ts): unset or empty, none are served. */
  workerTelemetry: z.object({
    /**
     * Workflows the worker keeps in memory between their tasks (the SDK's sticky cache). An approval waits hours:
     * one that left the cache is replayed from its short history at its next task. The SDK's default grows with the
     * heap limit (thousands), and each cached workflow costs about 2 MB.
     */
    WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(100),
    WORKER_METRICS_ADDRESS: z
      .string()
      .optional()
      .transform((value) => value || undefined)
      .pipe(
        z
          .string()
          // The SDK's core binds a socket address: an IP address and a port, never a host name.
          .regex(
            /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]):\d{1,5}$/,
            'must be an IP address and a port, such as 0.0.0.0:9464 or [::]:9464',
          )
          .refine((value) => {
            const port = Number(value.slice(value.lastIndexOf(':') + 1));
            return port >= 1 && port <= 65535;
          }, 'must have a port from 1 to 65535')
          .optional(),
      ),
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
      /**
       * How long a message a dispatcher took is its own: another worker sends it
       * only after that, so a worker that died mid-send delays it this long. It
       * must outlast one send (a webhook's 10 s timeout; SMTP's 10 s per step).
       */
      OUTBOX_LEASE: duration('60s').refine((ms) => ms >= 15_000, 'must be at least 15s: longer than one send may take'),
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
export const metricsEnv = () => read('metrics');
export const workerTelemetryEnv = () => read('workerTelemetry');
