// Runs once when the Next.js server starts: a missing or bad setting stops it
// here, with a message naming the variable, instead of failing a request later.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { authEnv, databaseEnv, temporalEnv } = await import('./lib/env');
  databaseEnv();
  temporalEnv();
  authEnv();
}
