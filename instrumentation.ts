// Runs once when the Next.js server starts: a missing or bad setting stops it
// here, with a message naming the variable, instead of failing every request.
export async function register(): Promise<void> {
  // The check exits the process, which only the Node.js runtime may do.
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { checkEnvironmentOrExit } = await import('./lib/startup-checks');
  checkEnvironmentOrExit();
}
