// lib/live-events.ts against the real PostgreSQL: changes written by another
// process reach subscribers through LISTEN/NOTIFY, unsubscribing stops them,
// and a lost connection (killed, or the database unreachable for a while)
// comes back by itself and says so (resync).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type { LiveEvent, LiveEvents, LiveEventsOptions } from '../../lib/web/live-events';
import { env, ROOT, waitFor } from './helpers';

// lib/live-events.ts is marked `server-only`: outside Next's react-server build that
// package throws on import. Here it is a plain Node module, so the marker is stubbed.
const requireHere = createRequire(__filename);
const serverOnly = requireHere.resolve('server-only');
requireHere.cache[serverOnly] = { id: serverOnly, filename: serverOnly, loaded: true, exports: {} } as NodeJS.Module;

let createLiveEvents: (options: LiveEventsOptions) => LiveEvents;
let db: Client;
/** Rows this file wrote, deleted at the end (a DELETE announces nothing). */
const written: string[] = [];
/** Listeners this file opened, closed at the end whatever failed. */
const opened: LiveEvents[] = [];

const run = promisify(execFile);

/**
 * Runs one SQL statement in a separate Node process with its own connection, as
 * the worker or another web instance would, and returns the rows it answered.
 */
async function writeFromAnotherProcess(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  const script = `
    const { Client } = require('pg');
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    client.connect()
      .then(() => client.query(process.env.SQL, JSON.parse(process.env.PARAMS)))
      .then((result) => { process.stdout.write(JSON.stringify(result.rows)); return client.end(); })
      .catch((error) => { console.error(error); process.exit(1); });`;
  const { stdout } = await run(process.execPath, ['-e', script], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: env.databaseUrl, SQL: sql, PARAMS: JSON.stringify(params) },
  });
  return JSON.parse(stdout) as Record<string, unknown>[];
}

/**
 * A request row that is closed from the start: no inbox lists it and no
 * reconciler touches it, so the tests running beside this one are not disturbed.
 */
async function insertRowElsewhere(): Promise<string> {
  const [row] = await writeFromAnotherProcess(
    `INSERT INTO approval_requests (id, workflow_id, run_id, activity_id, attempt, request, title, customer, status,
       requested_at, deadline, decided_at, decision_path, reason, updated_at)
     VALUES (gen_random_uuid(), $1, 'run-live-events', 'approval', 1, $2::jsonb, 'Live events test', 'Live events test', 'CANCELLED',
       now(), now(), now(), 'EXTERNAL', 'written by test/integration/live-events.test.ts', now())
     RETURNING id`,
    [`live-events-${randomUUID()}`, JSON.stringify({ title: 'Live events test' })],
  );
  const id = String(row?.id);
  written.push(id);
  return id;
}

async function updateRowElsewhere(id: string): Promise<void> {
  await writeFromAnotherProcess(`UPDATE approval_requests SET reason = $2, updated_at = now() WHERE id = $1`, [
    id,
    `updated ${randomUUID()}`,
  ]);
}

function open(options: Partial<LiveEventsOptions> = {}): LiveEvents {
  const live = createLiveEvents({ connectionString: env.databaseUrl, log: () => {}, ...options });
  opened.push(live);
  return live;
}

/** Collects what a subscriber hears. */
function collect(live: LiveEvents) {
  const events: LiveEvent[] = [];
  const unsubscribe = live.subscribe((event) => events.push(event));
  return { events, unsubscribe };
}

const changeOf = (events: LiveEvent[], id: string) => events.filter((e) => e.type === 'change' && e.id === id);

async function backendAlive(pid: number): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
  return rows.length > 0;
}

describe('lib/live-events.ts', { timeout: 60_000 }, () => {
  before(async () => {
    ({ createLiveEvents } = await import('../../lib/web/live-events'));
    db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
  });

  after(async () => {
    await Promise.all(opened.map((live) => live.close()));
    if (written.length > 0) await db.query('DELETE FROM approval_requests WHERE id = ANY($1::uuid[])', [written]);
    await db.end();
  });

  test('a row inserted and then updated by another process reaches a subscriber, with its id, status and kind of change', async () => {
    const live = open();
    const { events } = collect(live);
    await live.listening();

    const id = await insertRowElsewhere();
    await waitFor('the insert', async () => changeOf(events, id).length === 1, { timeoutMs: 5_000 });
    assert.deepEqual(changeOf(events, id), [{ type: 'change', id, status: 'CANCELLED', op: 'insert' }]);

    await updateRowElsewhere(id);
    await waitFor('the update', async () => changeOf(events, id).length === 2, { timeoutMs: 5_000 });
    assert.deepEqual(changeOf(events, id)[1], { type: 'change', id, status: 'CANCELLED', op: 'update' });
  });

  test('a decision leasing its row (or ending the lease) announces nothing; the change it records is announced', async () => {
    const live = open();
    const { events } = collect(live);
    await live.listening();
    const id = await insertRowElsewhere();
    await waitFor('the insert', async () => changeOf(events, id).length === 1, { timeoutMs: 5_000 });

    // As lib/approvals/records/lease.ts takes and ends a lease, from another process.
    await writeFromAnotherProcess(
      `UPDATE approval_requests SET deciding_lease = gen_random_uuid(), deciding_until = clock_timestamp() + interval '10 seconds' WHERE id = $1`,
      [id],
    );
    await writeFromAnotherProcess(`UPDATE approval_requests SET deciding_lease = NULL, deciding_until = NULL WHERE id = $1`, [id]);
    await updateRowElsewhere(id);
    // NOTIFYs arrive in commit order: once a later row's insert is heard, every announcement of this row has been.
    const fence = await insertRowElsewhere();
    await waitFor('the later insert', async () => changeOf(events, fence).length === 1, { timeoutMs: 5_000 });
    assert.deepEqual(
      changeOf(events, id).map((e) => e.type === 'change' && e.op),
      ['insert', 'update'],
      'the lease taken and ended were not announced; the update was',
    );
  });

  test('every subscriber hears a change over one connection; one that unsubscribed hears nothing more', async () => {
    const live = open();
    const first = collect(live);
    const second = collect(live);
    await live.listening();
    assert.equal(live.subscriberCount(), 2);

    first.unsubscribe();
    first.unsubscribe(); // twice is harmless
    assert.equal(live.subscriberCount(), 1);
    const heardBefore = first.events.length;

    const id = await insertRowElsewhere();
    await updateRowElsewhere(id);
    await waitFor('the second subscriber to hear both', async () => changeOf(second.events, id).length === 2, { timeoutMs: 5_000 });
    assert.equal(first.events.length, heardBefore, 'the unsubscribed listener was still called');
  });

  test('the connection closes once the last subscriber has gone, and a new subscriber opens it again', async () => {
    const live = open({ idleCloseMs: 10 });
    const { unsubscribe } = collect(live);
    await live.listening();
    const pid = live.backendPid();
    assert.ok(pid, 'listening, with a server process');
    assert.ok(await backendAlive(pid));

    unsubscribe();
    assert.equal(live.subscriberCount(), 0);
    await waitFor('the idle connection to close', async () => live.backendPid() === null && !(await backendAlive(pid)), {
      timeoutMs: 5_000,
    });

    const again = collect(live);
    await live.listening();
    const id = await insertRowElsewhere();
    await waitFor('the change, on a new connection', async () => changeOf(again.events, id).length === 1, { timeoutMs: 5_000 });
    assert.notEqual(live.backendPid(), pid);
  });

  test('a subscriber that leaves and one that arrives within the idle time share the same connection', async () => {
    const live = open({ idleCloseMs: 60_000 });
    const first = collect(live);
    await live.listening();
    const pid = live.backendPid();
    first.unsubscribe();
    const second = collect(live);
    await live.listening();
    assert.equal(live.backendPid(), pid);
    second.unsubscribe();
  });

  test('after its connection is killed it reconnects, says resync, and delivers changes again', async () => {
    const live = open({ initialBackoffMs: 50 });
    const { events } = collect(live);
    await live.listening();
    // The first LISTEN also says resync: a page rendered before it may have missed a change.
    await waitFor('a resync once listening', async () => events.some((e) => e.type === 'resync'));
    events.length = 0;
    const pid = live.backendPid();
    assert.ok(pid);

    // Only this listener's own server process: other listeners on the shared database are left alone.
    const { rows } = await db.query<{ killed: boolean }>('SELECT pg_terminate_backend($1) AS killed', [pid]);
    assert.equal(rows[0]?.killed, true);

    await waitFor('a resync after the reconnect', async () => events.some((e) => e.type === 'resync'), { timeoutMs: 10_000 });
    const newPid = live.backendPid();
    assert.ok(newPid && newPid !== pid, `a new connection (was ${pid}, now ${newPid})`);
    assert.equal(await backendAlive(pid), false);

    const id = await insertRowElsewhere();
    await waitFor('the change after the reconnect', async () => changeOf(events, id).length === 1, { timeoutMs: 5_000 });
  });

  test('while the database cannot be reached it keeps retrying with backoff, and delivers again once it is back', async () => {
    const target = new URL(env.databaseUrl);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(env.databaseUrl);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const problems: string[] = [];
    const live = open({
      connectionString: viaProxy.toString(),
      initialBackoffMs: 20,
      maxBackoffMs: 200,
      log: (message) => problems.push(message),
    });
    const { events } = collect(live);
    await live.listening();
    await waitFor('a resync once listening', async () => events.some((e) => e.type === 'resync'));
    events.length = 0;

    await proxy.stop(); // the database "goes away": the connection drops, and reconnecting is refused
    await waitFor('several failed reconnects', async () => problems.filter((p) => p.startsWith('could not listen')).length >= 3, {
      timeoutMs: 10_000,
    });
    assert.equal(live.backendPid(), null);
    assert.match(problems[0] ?? '', /^listening connection lost \(retrying\)/);

    await proxy.start(); // back, on the same port
    await waitFor('a resync once the database is back', async () => events.some((e) => e.type === 'resync'), { timeoutMs: 10_000 });
    const id = await insertRowElsewhere();
    await waitFor('the change after the outage', async () => changeOf(events, id).length === 1, { timeoutMs: 5_000 });
    await live.close();
    await proxy.stop();
  });

  test('payloads that are not a change are ignored, and a failing subscriber does not keep the others from hearing', async () => {
    // A channel of its own, so nothing odd reaches the other listeners on the shared database.
    const channel = `live_events_test_${randomUUID().replaceAll('-', '')}`;
    const problems: string[] = [];
    const live = open({ channel, log: (message) => problems.push(message) });
    live.subscribe(() => {
      throw new Error('this subscriber is broken');
    });
    const { events } = collect(live);
    await live.listening();

    const valid = { id: randomUUID(), status: 'PENDING', op: 'insert' };
    for (const payload of ['not json', '{"id":1}', JSON.stringify({ ...valid, op: 'delete' }), JSON.stringify(valid)]) {
      await db.query('SELECT pg_notify($1, $2)', [channel, payload]);
    }
    // Notifications from one session arrive in order: once the valid one is here, the rest were read.
    await waitFor('the valid change', async () => events.some((e) => e.type === 'change'), { timeoutMs: 5_000 });
    assert.deepEqual(
      events.filter((e) => e.type !== 'resync'),
      [{ type: 'change', ...valid }],
    );
    // It failed on each event it got (the first resync, then the change); the others still heard them.
    assert.ok(problems.length >= 1);
    assert.deepEqual(new Set(problems), new Set(['a subscriber failed: this subscriber is broken']));
  });
});

/** A TCP proxy to PostgreSQL that can be stopped (dropping every connection) and started again on the same port. */
async function startTcpProxy(host: string, port: number) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let listenPort = 0;
  const start = async () => {
    server = net.createServer((client) => {
      const upstream = net.connect(port, host);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server?.once('error', reject).listen(listenPort, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address && typeof address === 'object') listenPort = address.port;
  };
  await start();
  return {
    get port() {
      return listenPort;
    },
    start,
    async stop() {
      const closing = server;
      server = null;
      if (!closing) return;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
  };
}
