// One lazily connected Temporal client per process.
import { Client, Connection } from '@temporalio/client';
import { temporalEnv } from './env';
import { temporalConnectionOptions, type TemporalSettings } from './temporal-connection';

/** A client for these settings (TLS, client certificate and API key included): the one way a Client is made here. */
export async function connectTemporalWith(settings: TemporalSettings): Promise<Client> {
  const connection = await Connection.connect({ ...temporalConnectionOptions(settings), connectTimeout: '5s' });
  return new Client({ connection, namespace: settings.TEMPORAL_NAMESPACE });
}

/** A client for the TEMPORAL_* settings, at another address or namespace when given (tests, the dev server). */
export function connectTemporal(address?: string, namespace?: string): Promise<Client> {
  const settings = temporalEnv();
  return connectTemporalWith({
    ...settings,
    TEMPORAL_ADDRESS: address ?? settings.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: namespace ?? settings.TEMPORAL_NAMESPACE,
  });
}

const globalForTemporal = globalThis as unknown as { countersignTemporal?: Promise<Client> };

export function getTemporalClient(): Promise<Client> {
  // A failed connection is not cached: the next call tries again.
  globalForTemporal.countersignTemporal ??= connectTemporal().catch((error: unknown) => {
    globalForTemporal.countersignTemporal = undefined;
    throw error;
  });
  return globalForTemporal.countersignTemporal;
}
