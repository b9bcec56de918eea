// One lazily connected Temporal client per process.
import { Client, Connection } from '@temporalio/client';
import { temporalEnv } from './env';

const globalForTemporal = globalThis as unknown as { countersignTemporal?: Promise<Client> };

export async function connectTemporal(
  address = temporalEnv().TEMPORAL_ADDRESS,
  namespace = temporalEnv().TEMPORAL_NAMESPACE,
): Promise<Client> {
  const connection = await Connection.connect({ address, connectTimeout: '5s' });
  return new Client({ connection, namespace });
}

export function getTemporalClient(): Promise<Client> {
  // A failed connection is not cached: the next call tries again.
  globalForTemporal.countersignTemporal ??= connectTemporal().catch((error: unknown) => {
    globalForTemporal.countersignTemporal = undefined;
    throw error;
  });
  return globalForTemporal.countersignTemporal;
}
