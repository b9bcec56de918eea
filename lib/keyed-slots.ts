// Counted slots per key (a user) in one process: the one mechanism behind the
// per-user stream cap (lib/web/stream-limits.ts) and the per-user decisions in
// flight (lib/approvals/commands/in-flight.ts). Pure.

export interface HeldSlots {
  /** How many of the key's slots this holds. */
  count: number;
  /** Gives them back: once is enough, twice is harmless. */
  release(): void;
}

export interface KeyedSlots {
  /** Takes up to `wanted` of `key`'s free slots (as many as are free), or null when none is. */
  acquire(key: string, wanted?: number): HeldSlots | null;
  /** Slots `key` holds now. */
  held(key: string): number;
}

export function createKeyedSlots(max: number): KeyedSlots {
  const held = new Map<string, number>();
  return {
    acquire(key, wanted = 1) {
      const used = held.get(key) ?? 0;
      const count = Math.min(wanted, max - used);
      if (count < 1) return null;
      held.set(key, used + count);
      let released = false;
      return {
        count,
        release() {
          if (released) return;
          released = true;
          const left = (held.get(key) ?? count) - count;
          if (left > 0) held.set(key, left);
          else held.delete(key);
        },
      };
    },
    held: (key) => held.get(key) ?? 0,
  };
}
