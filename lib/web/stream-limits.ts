// How many live-update streams (/api/events) one user may hold open in one web
// process, and the count that enforces it. A browser shares one stream among
// all its tabs (components/shell/live-stream.ts), so the cap leaves room for a
// user with a few browsers while one user cannot tie up the server's connections.
// Pure (no database, no Node APIs): the e2e tests import the cap from here.
import { createKeyedSlots } from '../keyed-slots';

/** Open /api/events streams one user may hold in one web process; the next is answered 429. */
export const MAX_STREAMS_PER_USER = 5;
/** Retry-After on a refused stream, in seconds: streams free up when a browser closes its last tab. */
export const STREAM_RETRY_AFTER_S = 30;

export interface StreamSlots {
  /**
   * Takes one of `key`'s slots, or answers null when all are taken. The returned
   * function gives the slot back (once is enough, twice is harmless).
   */
  acquire(key: string): (() => void) | null;
  /** Slots `key` holds now. */
  held(key: string): number;
}

export function createStreamSlots(max: number = MAX_STREAMS_PER_USER): StreamSlots {
  const slots = createKeyedSlots(max);
  return {
    acquire: (key) => slots.acquire(key)?.release ?? null,
    held: (key) => slots.held(key),
  };
}

const globalForStreamSlots = globalThis as unknown as { countersignStreamSlots?: StreamSlots };

/** The process's one count, created on first use (kept on globalThis so dev hot reloads keep counting). */
export function streamSlots(): StreamSlots {
  globalForStreamSlots.countersignStreamSlots ??= createStreamSlots();
  return globalForStreamSlots.countersignStreamSlots;
}
