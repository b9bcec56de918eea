// Live updates, server side: one PostgreSQL connection per server process
// LISTENs on the channel the approval_requests trigger NOTIFYs, and fans each
// change out to the process's subscribers (the open /api/events streams).
// Rows are written by other processes (the worker, the reconciler, other web
// instances), so an in-memory emitter would miss them; NOTIFY does not.
import 'server-only';
import { Client } from 'pg';
import { z } from 'zod';
import { APPROVAL_STATUSES, type ApprovalStatus } from '../contract/statuses';
import { databaseEnv } from '../env';

/** The channel the trigger on approval_requests announces every insert and update on. */
const APPROVAL_CHANGES_CHANNEL = 'approval_changes';

/**
 * What a subscriber hears: a changed request, or `resync` after the listening
 * connection was lost and is back (changes made meanwhile were not heard).
 */
export type LiveEvent = { type: 'change'; id: string; status: ApprovalStatus; op: 'insert' | 'update' } | { type: 'resync' };

export type LiveEventListener = (event: LiveEvent) => void;

export interface LiveEvents {
  /** Starts listening if nobody was; the returned function unsubscribes (once is enough, twice is harmless). */
  subscribe(listener: LiveEventListener): () => void;
  /** Resolves once the connection LISTENs; connects only while someone subscribes. */
  listening(): Promise<void>;
  /** The listening connection's server process id, or null while not listening. */
  backendPid(): number | null;
  subscriberCount(): number;
  /** Stops for good: drops subscribers and the connection. */
  close(): Promise<void>;
}

export interface LiveEventsOptions {
  connectionString: string;
  channel?: string;
  /** First reconnect delay; it doubles per failed attempt up to maxBackoffMs (with jitter). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long the connection stays open after the last subscriber left (so page loads do not reconnect). */
  idleCloseMs?: number;
  /** How often the listening connection is checked with a query (a silently dead one hears nothing). */
  pingIntervalMs?: number;
  /** Where connection trouble is reported. */
  log?: (message: string) => void;
}

const payloadSchema = z.object({
  id: z.string().min(1),
  status: z.enum(APPROVAL_STATUSES),
  op: z.enum(['insert', 'update']),
});

function parsePayload(payload: string | undefined): LiveEvent | null {
  if (!payload) return null;
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return null;
  }
  const parsed = payloadSchema.safeParse(json);
  return parsed.success ? { type: 'change', ...parsed.data } : null;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

interface Connection {
  client: Client;
  pid: number | null;
  listening: boolean;
  /** Set once it is being torn down; settles when it has ended. */
  ended: Promise<void> | null;
  ping: NodeJS.Timeout | null;
}

export function createLiveEvents({
  connectionString,
  channel = APPROVAL_CHANGES_CHANNEL,
  initialBackoffMs = 250,
  maxBackoffMs = 15_000,
  idleCloseMs = 60_000,
  pingIntervalMs = 30_000,
  log = (message) => console.error(`[live-events] ${message}`),
}: LiveEventsOptions): LiveEvents {
  // A Set of wrappers, not an EventEmitter: the same function may subscribe twice, and nothing warns about "leaks".
  const subscribers = new Set<{ listener: LiveEventListener }>();
  let connection: Connection | null = null;
  let failures = 0;
  /** The scheduled reconnect while the connection is down (subscribers hear `resync` once it is back). */
  let retryTimer: NodeJS.Timeout | null = null;
  let idleTimer: NodeJS.Timeout | null = null;
  let closed = false;
  let waiters: (() => void)[] = [];

  function emit(event: LiveEvent): void {
    for (const subscriber of [...subscribers]) {
      // One failing subscriber (say, a stream that just closed) must not starve the rest.
      try {
        subscriber.listener(event);
      } catch (error) {
        log(`a subscriber failed: ${describe(error)}`);
      }
    }
  }

  /** Ends a connection on purpose or after an error; only an unexpected loss reconnects. */
  function drop(current: Connection, error: unknown | null): Promise<void> {
    if (current.ended) return current.ended;
    if (current.ping) clearInterval(current.ping);
    current.client.removeAllListeners('notification');
    // A late error from a connection being torn down has nobody to tell.
    current.client.on('error', () => {});
    current.ended = current.client.end().catch(() => {});
    if (connection === current) connection = null;
    if (error !== null) {
      log(`${current.listening ? 'listening connection lost' : 'could not listen'} (retrying): ${describe(error)}`);
      failures += 1;
      scheduleReconnect();
    }
    return current.ended;
  }

  function scheduleReconnect(): void {
    if (closed || retryTimer || connection || subscribers.size === 0) return;
    const ceiling = Math.min(maxBackoffMs, initialBackoffMs * 2 ** Math.max(0, failures - 1));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, delay);
    // Never what keeps a process alive.
    retryTimer.unref();
  }

  function connect(): void {
    if (closed || connection || retryTimer || subscribers.size === 0) return;
    const client = new Client({
      connectionString,
      application_name: 'countersign-live-events',
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: 10_000,
      query_timeout: 10_000,
    });
    const current: Connection = { client, pid: null, listening: false, ended: null, ping: null };
    connection = current;
    client.on('error', (error) => void drop(current, error));
    client.on('end', () => void drop(current, new Error('the connection ended')));
    client.on('notification', (message) => {
      if (message.channel !== channel) return;
      const event = parsePayload(message.payload);
      if (event) emit(event);
    });
    void (async () => {
      try {
        await client.connect();
        await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        if (current.ended) return;
        current.pid = rows[0]?.pid ?? null;
        current.listening = true;
        failures = 0;
        current.ping = setInterval(() => {
          client.query('SELECT 1').catch((error: unknown) => void drop(current, error));
        }, pingIntervalMs);
        current.ping.unref();
        const ready = waiters;
        waiters = [];
        for (const resolve of ready) resolve();
        // Whoever subscribed before this LISTEN took effect may have missed a
        // change since their page rendered (or during an outage): catch up.
        if (subscribers.size > 0) emit({ type: 'resync' });
        // Everyone left while it connected.
        if (subscribers.size === 0) scheduleIdleClose();
      } catch (error) {
        void drop(current, error);
      }
    })();
  }

  function scheduleIdleClose(): void {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      idleTimer = null;
      if (subscribers.size > 0) return;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      if (connection) void drop(connection, null);
    }, idleCloseMs);
    idleTimer.unref();
  }

  return {
    subscribe(listener) {
      if (closed) throw new Error('live events are closed');
      const subscriber = { listener };
      subscribers.add(subscriber);
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = null;
      connect();
      return () => {
        if (!subscribers.delete(subscriber)) return;
        if (subscribers.size === 0) scheduleIdleClose();
      };
    },
    listening() {
      if (connection?.listening) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    backendPid() {
      return connection?.listening ? connection.pid : null;
    },
    subscriberCount() {
      return subscribers.size;
    },
    async close() {
      closed = true;
      subscribers.clear();
      for (const timer of [retryTimer, idleTimer]) if (timer) clearTimeout(timer);
      retryTimer = idleTimer = null;
      if (connection) await drop(connection, null);
    },
  };
}

const globalForLiveEvents = globalThis as unknown as { countersignLiveEvents?: LiveEvents };

/** The process's one listener, created on first use (kept on globalThis so dev hot reloads reuse it). */
export function liveEvents(): LiveEvents {
  globalForLiveEvents.countersignLiveEvents ??= createLiveEvents({ connectionString: databaseEnv().DATABASE_URL });
  return globalForLiveEvents.countersignLiveEvents;
}
