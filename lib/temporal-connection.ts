// How every process reaches Temporal: the web's client and the scripts
// (Connection.connect) and the worker (NativeConnection.connect) take their
// options from here, so one set of settings (lib/env.ts, `temporal`) means the
// same connection everywhere: plain, TLS, mTLS, an API key, or both.
import type { TLSConfig } from '@temporalio/client';
import type { temporalEnv } from './env';

export type TemporalSettings = ReturnType<typeof temporalEnv>;

/** The settings that secure a connection: a local dev server (npm run dev's, the tests' own) has none. */
export const TEMPORAL_SECURITY_SETTINGS = [
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CA',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_TLS_CERT',
  'TEMPORAL_TLS_KEY',
  'TEMPORAL_API_KEY',
] as const;

/**
 * The environment without those settings, for a process that talks to a plain
 * dev server. Removed, not emptied: the temporal CLI reads an empty
 * TEMPORAL_TLS_* or TEMPORAL_API_KEY as set, and turns TLS on.
 */
export function withoutTemporalSecurity(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept = { ...env };
  for (const name of TEMPORAL_SECURITY_SETTINGS) delete kept[name];
  return kept;
}

/** What Connection.connect and NativeConnection.connect both accept. */
export interface TemporalConnectionOptions {
  address: string;
  /** false, never undefined: with an API key the SDK turns TLS on unless told no, and TEMPORAL_TLS=false tells it. */
  tls: TLSConfig | false;
  apiKey?: string;
}

export function temporalConnectionOptions(settings: TemporalSettings): TemporalConnectionOptions {
  const { TEMPORAL_TLS_CA: ca, TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key, TEMPORAL_TLS_SERVER_NAME: serverName } = settings;
  const tls: TLSConfig = {
    ...(serverName ? { serverNameOverride: serverName } : {}),
    ...(ca ? { serverRootCACertificate: ca.pem } : {}),
    ...(cert && key ? { clientCertPair: { crt: cert.pem, key: key.pem } } : {}),
  };
  return {
    address: settings.TEMPORAL_ADDRESS,
    tls: settings.TEMPORAL_TLS ? tls : false,
    ...(settings.TEMPORAL_API_KEY ? { apiKey: settings.TEMPORAL_API_KEY } : {}),
  };
}

/** How this process connects, for logs and messages: the address and the means, never a secret. */
export function describeTemporalConnection(settings: TemporalSettings): string {
  if (!settings.TEMPORAL_TLS)
    return settings.TEMPORAL_API_KEY ? `${settings.TEMPORAL_ADDRESS} (API key, no TLS)` : settings.TEMPORAL_ADDRESS;
  const means = [
    settings.TEMPORAL_TLS_CERT && 'client certificate',
    settings.TEMPORAL_API_KEY && 'API key',
    settings.TEMPORAL_TLS_CA && 'own CA',
    settings.TEMPORAL_TLS_SERVER_NAME && `server name ${settings.TEMPORAL_TLS_SERVER_NAME}`,
  ].filter(Boolean);
  return `${settings.TEMPORAL_ADDRESS} over TLS${means.length ? ` (${means.join(', ')})` : ''}`;
}

/**
 * The message when the first call fails: where, how, why, and which settings to
 * look at. The SDK's own error wraps the server's answer (UNAUTHENTICATED, a
 * failed handshake) as its cause, which says more than the wrapper.
 */
export function cannotReachTemporal(settings: TemporalSettings, error: unknown): string {
  const reasons: string[] = [];
  for (let e: unknown = error; e instanceof Error && reasons.length < 3; e = e.cause) reasons.push(e.message);
  const why = reasons.length ? reasons.join(': ') : String(error);
  const secured = settings.TEMPORAL_TLS || settings.TEMPORAL_API_KEY;
  const names = TEMPORAL_SECURITY_SETTINGS.filter((name) => name !== 'TEMPORAL_TLS' && settings[name]);
  const hint = secured
    ? `Check TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE${names.length ? ` and ${names.join(', ')}` : ''}.`
    : 'Start it (`npm run dev` does) or set TEMPORAL_ADDRESS.';
  return `Cannot reach the Temporal server at ${describeTemporalConnection(settings)} (${why}). ${hint}`;
}
