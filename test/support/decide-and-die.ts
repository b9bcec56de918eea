// A deciding process that dies: approves one request through the domain
// command the web app calls (decideApproval, with the web process's own
// lazily made database and Temporal clients), prints the result as one JSON
// line, then SIGKILLs itself. Nothing runs after the decision: no shutdown
// hook, no disconnect, no outbox dispatch. test/integration/outbox-crash.test.ts
// runs it, and kills it earlier when it wants the decision cut short.
//
//   node --import tsx test/support/decide-and-die.ts <approval id> <reviewer email>
// (DATABASE_URL and TEMPORAL_ADDRESS from the environment)
import { approveInputSchema, decideApproval } from '../../lib/approvals/commands/decide';
import { getDb } from '../../lib/db';
import { getTemporalClient } from '../../lib/temporal';

async function main(): Promise<void> {
  const [id, email] = process.argv.slice(2);
  if (!id || !email) throw new Error('Usage: decide-and-die.ts <approval id> <reviewer email>');
  const deps = { db: getDb(), temporal: await getTemporalClient() };
  const decided = await decideApproval(deps, { decision: 'APPROVED', ...approveInputSchema.parse({ id }) }, { email });
  // A pipe's writes are synchronous on Linux: the line is out before the kill.
  process.stdout.write(`${JSON.stringify({ decided })}\n`);
  process.kill(process.pid, 'SIGKILL');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
