// Production footguns: the seed's demo users (public passwords), a worker
// that would run on the dev database's URL, and an audit trail that could be
// rewritten. Each is refused by the thing itself, not by convention.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { APPROVAL_ACTIVITY_ID } from '../../lib/contract/approval';
import { createDb, type Db } from '../../lib/db';
import { freePorts, migrateDatabase } from '../../scripts/processes';
import { env, openDb, ROOT, uniqueTaskQueue } from './helpers';

const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

interface Run {
  code: number | null;
  output: string;
}

/** Runs a command from the repository to its end, with `environment` only (nothing inherited but PATH and HOME). */
async function run(command: string, args: string[], environment: NodeJS.ProcessEnv): Promise<Run> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, output };
}

/** A Temporal address where nothing listens: whatever is refused must be refused before it matters. */
async function deadTemporalAddress(): Promise<string> {
  const [port = 1] = await freePorts(1);
  return `127.0.0.1:${port}`;
}

describe('production footguns', { timeout: 180_000 }, () => {
  test('npm run db:seed under NODE_ENV=production refuses: exit 1, says why, and creates no user', async () => {
    // A database of its own, migrated and empty: the seed would fill its users table.
    const name = `seed_prod_${randomBytes(6).toString('hex')}`;
    const admin = await openDb();
    await admin.$executeRawUnsafe(`CREATE DATABASE "${name}"`);
    const url = new URL(env.databaseUrl);
    url.pathname = `/${name}`;
    const fresh = createDb(url.toString());
    try {
      const migration: string[] = [];
      await migrateDatabase({ ...process.env, DATABASE_URL: url.toString() }, (line) => migration.push(line)).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${migration.join('\n')}`);
      });
      const seeded = await run(TSX, ['scripts/seed.ts'], {
        NODE_ENV: 'production',
        DATABASE_URL: url.toString(),
        TEMPORAL_ADDRESS: await deadTemporalAddress(),
        TEMPORAL_TASK_QUEUE: uniqueTaskQueue(),
      });
      assert.equal(seeded.code, 1, seeded.output);
      assert.match(
        seeded.output,
        /Refusing to seed: NODE_ENV=production, and the demo users have published passwords\. Nothing was created\./,
      );
      assert.equal(await fresh.user.count(), 0, 'no user was created');
    } finally {
      await fresh.$disconnect();
      await admin.$executeRawUnsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.$disconnect();
    }
  });

  test('the worker under NODE_ENV=production without DATABASE_URL exits 1 naming DATABASE_URL, before it connects to anything', async () => {
    const started = await run(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
      NODE_ENV: 'production',
      TEMPORAL_ADDRESS: await deadTemporalAddress(),
      TEMPORAL_TASK_QUEUE: uniqueTaskQueue(),
    });
    assert.equal(started.code, 1, started.output);
    assert.match(started.output, /\[worker\] Invalid environment:\n\s+DATABASE_URL: is required in production/);
    assert.doesNotMatch(started.output, /Temporal/, 'the missing setting is named, not the unreachable server');
  });

  describe('the audit trail is append-only in the database', () => {
    let db: Db;
    before(async () => {
      db = await openDb();
    });
    after(async () => {
      await db?.$disconnect();
    });

    /** A closed request with one audit event, written directly (fresh identities: they stay, as audit rows must). */
    async function decidedRequest() {
      const id = randomUUID();
      const now = new Date();
      await db.approvalRequest.create({
        data: {
          id,
          workflowId: `audit-${randomUUID()}`,
          runId: randomUUID(),
          activityId: APPROVAL_ACTIVITY_ID,
          attempt: 1,
          request: { title: 'Audited' },
          title: 'Audited',
          status: 'APPROVED',
          requestedAt: now,
          deadline: now,
          decidedBy: 'reviewer@example.com',
          decidedAt: now,
          decisionPath: 'DASHBOARD',
        },
      });
      const event = await db.auditEvent.create({
        data: { approvalRequestId: id, actor: 'reviewer@example.com', action: 'APPROVED', path: 'DASHBOARD', at: now },
      });
      return { id, event };
    }

    test('PostgreSQL refuses an UPDATE of an audit event, and the event is unchanged', async () => {
      const { event } = await decidedRequest();
      await assert.rejects(
        db.$executeRaw`UPDATE audit_events SET actor = 'mallory@example.com' WHERE id = ${event.id}`,
        /audit_events is append-only: UPDATE is not allowed/,
      );
      assert.deepEqual(await db.auditEvent.findUnique({ where: { id: event.id } }), event);
    });

    test('PostgreSQL refuses a DELETE and a TRUNCATE of audit events', async () => {
      const { event } = await decidedRequest();
      await assert.rejects(
        db.$executeRaw`DELETE FROM audit_events WHERE id = ${event.id}`,
        /audit_events is append-only: DELETE is not allowed/,
      );
      await assert.rejects(db.$executeRawUnsafe('TRUNCATE audit_events'), /audit_events is append-only: TRUNCATE is not allowed/);
      assert.deepEqual(await db.auditEvent.findUnique({ where: { id: event.id } }), event);
    });

    test('a request that has audit events cannot be deleted: no cascade takes its trail with it', async () => {
      const { id, event } = await decidedRequest();
      await assert.rejects(db.$executeRaw`DELETE FROM approval_requests WHERE id = ${id}::uuid`, /audit_events_approval_request_id_fkey/);
      assert.ok(await db.approvalRequest.findUnique({ where: { id } }), 'the request is still there');
      assert.deepEqual(await db.auditEvent.findUnique({ where: { id: event.id } }), event);
    });
  });
});
