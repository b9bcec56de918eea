// One live-update stream per browser, shared by all its tabs. Browsers open at
// most 6 connections to a host over HTTP/1.1, so with a stream per tab the 7th
// tab never loaded. Every tab asks for the same Web Lock; the tab holding it
// (the leader) opens the one EventSource to /api/events and relays its events
// and connection state over a BroadcastChannel to the others. When the leader
// closes, its lock is released and the next tab in the lock's queue takes over.
// Without Web Locks (an insecure origin) or BroadcastChannel, each tab keeps
// its own stream.

export type LiveEvent = { type: 'change'; id: string } | { type: 'resync' };
export type LiveConnection = 'connecting' | 'open' | 'closed';
/** The leader holds the browser's stream; a follower hears it through the leader; alone: a stream of its own. */
export type LiveRole = 'leader' | 'follower' | 'alone';

export interface LiveStreamListener {
  /** A change, or `resync`: the stream broke or changed hands, and changes may have been missed. */
  event(event: LiveEvent): void;
  connection(state: LiveConnection): void;
  role(role: LiveRole): void;
}

/** The Web Lock's and the BroadcastChannel's name. */
const SHARED_NAME = 'countersign-live';
const EVENTS_URL = '/api/events';
/** Reconnect delays after the stream was refused (the browser retries dropped streams itself). */
const RECONNECT_MIN_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;

/**
 * What the tabs say on the channel. `stream` names one opening of the leader's
 * stream: a different one than a tab saw before means it may have missed changes.
 */
type Message =
  { kind: 'event'; event: LiveEvent } | { kind: 'state'; connection: LiveConnection; stream: string | null } | { kind: 'hello' };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function toEvent(value: unknown): LiveEvent | null {
  if (!isRecord(value)) return null;
  if (value.type === 'resync') return { type: 'resync' };
  if (value.type === 'change' && typeof value.id === 'string') return { type: 'change', id: value.id };
  return null;
}

function parseEventData(data: string): LiveEvent | null {
  try {
    return toEvent(JSON.parse(data));
  } catch {
    return null; // not ours
  }
}

function toMessage(value: unknown): Message | null {
  if (!isRecord(value)) return null;
  if (value.kind === 'hello') return { kind: 'hello' };
  if (value.kind === 'event') {
    const event = toEvent(value.event);
    return event && { kind: 'event', event };
  }
  if (value.kind === 'state' && (value.connection === 'connecting' || value.connection === 'open' || value.connection === 'closed')) {
    return { kind: 'state', connection: value.connection, stream: typeof value.stream === 'string' ? value.stream : null };
  }
  return null;
}

/** Unique enough to tell one opening of a stream from another. */
const streamName = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

/** What one tab has heard: turns "a different stream is open now" into a `resync`. */
function createTracker(listener: LiveStreamListener) {
  let seen: string | null = null;
  return {
    state(connection: LiveConnection, stream: string | null) {
      listener.connection(connection);
      if (connection !== 'open' || stream === null) return;
      if (seen !== null && seen !== stream) listener.event({ type: 'resync' });
      seen = stream;
    },
    event: (event: LiveEvent) => listener.event(event),
  };
}

/** Opens the EventSource, and opens it again with a backoff after it was refused. Returns `stop`. */
function openStream(report: { event(event: LiveEvent): void; state(connection: LiveConnection, stream: string | null): void }): () => void {
  let source: EventSource | null = null;
  let reconnectTimer: number | undefined;
  let failures = 0;

  const open = () => {
    const stream = new EventSource(EVENTS_URL);
    source = stream;
    report.state('connecting', null);
    stream.onopen = () => {
      failures = 0;
      report.state('open', streamName());
    };
    stream.onmessage = (message: MessageEvent<string>) => {
      const event = parseEventData(message.data);
      if (event) report.event(event);
    };
    stream.onerror = () => {
      if (stream.readyState !== EventSource.CLOSED) {
        report.state('connecting', null); // the browser reconnects by itself
        return;
      }
      // Refused (signed out, too many streams, server down): the browser gives up, so try again later.
      stream.close();
      report.state('closed', null);
      const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** failures);
      failures += 1;
      reconnectTimer = window.setTimeout(open, delay);
    };
  };
  open();

  return () => {
    source?.close();
    window.clearTimeout(reconnectTimer);
  };
}

/** A stream of this tab's own: the fallback where tabs cannot share one. */
function listenAlone(listener: LiveStreamListener): () => void {
  listener.role('alone');
  const tracker = createTracker(listener);
  return openStream(tracker);
}

function listenShared(listener: LiveStreamListener): () => void {
  const channel = new BroadcastChannel(SHARED_NAME);
  const tracker = createTracker(listener);
  let closed = false;
  /** The pending or granted lock request; null while this tab does not seek to lead (left, or frozen). */
  let seeking: AbortController | null = null;
  /** Set while this tab leads: ends its stream and releases the lock. */
  let stopLeading: (() => void) | null = null;
  let current: { connection: LiveConnection; stream: string | null } = { connection: 'connecting', stream: null };

  const post = (message: Message) => {
    if (!closed) channel.postMessage(message);
  };

  channel.onmessage = (message: MessageEvent<unknown>) => {
    const received = toMessage(message.data);
    if (!received) return;
    if (received.kind === 'hello') {
      if (stopLeading) post({ kind: 'state', ...current }); // a new tab asks what it missed
      return;
    }
    if (stopLeading) return; // the leader's own; a previous leader's last words are stale
    if (received.kind === 'state') tracker.state(received.connection, received.stream);
    else tracker.event(received.event);
  };

  const lead = (release: () => void) => {
    listener.role('leader');
    const stop = openStream({
      event(event) {
        post({ kind: 'event', event });
        tracker.event(event);
      },
      state(connection, stream) {
        current = { connection, stream };
        post({ kind: 'state', connection, stream });
        tracker.state(connection, stream);
      },
    });
    stopLeading = () => {
      stopLeading = null;
      stop();
      // The others wait for the next leader's stream.
      post({ kind: 'state', connection: 'connecting', stream: null });
      release();
      if (!closed) listener.role('follower');
    };
  };

  /** Queues for the lock: granted when no other tab of this browser holds it. */
  const seek = () => {
    if (closed || seeking) return;
    const request = new AbortController();
    seeking = request;
    navigator.locks
      .request(
        SHARED_NAME,
        { signal: request.signal },
        () =>
          new Promise<void>((release) => {
            // Given up between the grant and now.
            if (request.signal.aborted) release();
            else lead(release);
          }),
      )
      // AbortError: this tab left (or froze) before its turn came.
      .catch(() => {});
  };

  /** Leaves the queue, and hands the stream on if this tab holds it. */
  const stepDown = () => {
    seeking?.abort();
    seeking = null;
    stopLeading?.();
  };

  // A page going into the back-forward cache or being frozen must not hold the
  // browser's only stream; back, it may have missed changes.
  const onHide = () => stepDown();
  const onShow = (event: Event) => {
    if (event instanceof PageTransitionEvent && !event.persisted) return;
    tracker.event({ type: 'resync' });
    seek();
  };
  window.addEventListener('pagehide', onHide);
  window.addEventListener('pageshow', onShow);
  document.addEventListener('freeze', onHide);
  document.addEventListener('resume', onShow);

  listener.role('follower');
  listener.connection('connecting');
  post({ kind: 'hello' });
  seek();

  return () => {
    stepDown();
    closed = true;
    channel.close();
    window.removeEventListener('pagehide', onHide);
    window.removeEventListener('pageshow', onShow);
    document.removeEventListener('freeze', onHide);
    document.removeEventListener('resume', onShow);
  };
}

/**
 * Listens to the live updates, through this browser's shared stream where it
 * can. Returns the function that stops listening (and hands the stream to
 * another tab if this one held it).
 */
export function listenToLiveUpdates(listener: LiveStreamListener): () => void {
  const canShare = typeof BroadcastChannel === 'function' && typeof navigator !== 'undefined' && navigator.locks !== undefined;
  return canShare ? listenShared(listener) : listenAlone(listener);
}
