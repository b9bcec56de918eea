// Live updates for the signed-in pages: a Server-Sent Events stream of
// request changes, fed by this process's one LISTEN connection
// (lib/web/live-events.ts), at most MAX_STREAMS_PER_USER open per user, each
// ended within seconds of its user being deactivated (lib/web/session-watch.ts).
import { getCurrentUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { liveEvents } from '@/lib/web/live-events';
import { createSessionWatch, type SessionWatch } from '@/lib/web/session-watch';
import { MAX_STREAMS_PER_USER, STREAM_RETRY_AFTER_S, streamSlots } from '@/lib/web/stream-limits';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** A comment line now and then, so proxies and the browser keep an idle stream open. */
const HEARTBEAT_MS = 15_000;
/** How long the browser waits before it reconnects a dropped stream. */
const RETRY_MS = 1_000;
/** Messages a client may leave unread before it is cut off (it reconnects, and catches up with one refresh). */
const MAX_UNREAD = 100;
/** A stream ends after this; the browser reconnects, and the session is checked again (a removed user stops hearing). */
const MAX_STREAM_MS = 10 * 60_000;

const globalForWatch = globalThis as unknown as { countersignSessionWatch?: SessionWatch };

/** The process's one watch over the users with open streams (kept on globalThis so dev hot reloads reuse it). */
function sessionWatch(): SessionWatch {
  globalForWatch.countersignSessionWatch ??= createSessionWatch({
    async activeAmong(ids) {
      const rows = await getDb().user.findMany({ where: { id: { in: ids }, active: true }, select: { id: true } });
      return new Set(rows.map((row) => row.id));
    },
  });
  return globalForWatch.countersignSessionWatch;
}

export async function GET(request: Request): Promise<Response> {
  // proxy.ts already turns signed-out visitors away; a removed user still has a valid cookie.
  const user = await getCurrentUser();
  if (!user) {
    return new Response('Sign in to receive live updates.', {
      status: 401,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });
  }

  // A browser holds one stream for all its tabs; more than a few for one user is a leak or abuse.
  const releaseSlot = streamSlots().acquire(user.id);
  if (!releaseSlot) {
    return new Response(
      `Too many live-update streams are open for you (at most ${MAX_STREAMS_PER_USER}). Close a browser window, or try again in ${STREAM_RETRY_AFTER_S} seconds.`,
      {
        status: 429,
        headers: {
          'content-type': 'text/plain; charset=utf-8',
          'cache-control': 'no-store',
          'retry-after': String(STREAM_RETRY_AFTER_S),
        },
      },
    );
  }

  const encoder = new TextEncoder();
  let stop = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let stopped = false;
      const send = (text: string) => {
        if (stopped) return;
        // A client that stopped reading would otherwise pile up messages here.
        if ((controller.desiredSize ?? 0) < -MAX_UNREAD) {
          stop();
          return;
        }
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop(); // the stream is gone: the client left
        }
      };
      const unsubscribe = liveEvents().subscribe((event) => send(`data: ${JSON.stringify(event)}\n\n`));
      const heartbeat = setInterval(() => send(': heartbeat\n\n'), HEARTBEAT_MS);
      const maxAge = setTimeout(() => stop(), MAX_STREAM_MS);
      // Deactivated: the stream ends, and the browser's reconnect gets 401.
      const unwatch = sessionWatch().watch(user.id, () => stop());
      stop = () => {
        if (stopped) return;
        stopped = true;
        clearInterval(heartbeat);
        clearTimeout(maxAge);
        unwatch();
        unsubscribe();
        releaseSlot();
        request.signal.removeEventListener('abort', stop);
        try {
          controller.close();
        } catch {
          // already closed or cancelled
        }
      };
      request.signal.addEventListener('abort', stop);
      if (request.signal.aborted) stop();
      send(`retry: ${RETRY_MS}\n: connected\n\n`);
    },
    cancel() {
      stop();
    },
  });

  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      // no-transform: the server's compression would otherwise buffer the stream.
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    },
  });
}
