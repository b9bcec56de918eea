// Checks the environment when a server process starts, and refuses to start
// (exit 1, naming each bad variable) rather than serve errors later.
import { authEnv, databaseEnv, databasePoolEnv, metricsEnv, temporalEnv } from './env';

export function checkEnvironmentOrExit(): void {
  try {
    databaseEnv();
    databasePoolEnv();
    temporalEnv();
    authEnv();
    metricsEnv();
  } catch (error) {
    console.error(`[countersign] not starting: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
