// Ends what a deactivated user still holds open: the live-update streams
// (/api/events) outlive the request that checked the session, so every few
// seconds one query asks which of the users with open streams are still
// active, and the streams of any who are not are ended. One timer and one
// query per web process, however many streams are open; none while none is.
// Pure apart from the injected check (the route passes a database query).

/** How often open streams' users are checked: a deactivated user stops hearing within about this. */
export const SESSION_CHECK_MS = 3_000;

export interface SessionWatch {
  /** Calls `ended` once `userId` is found inactive (or gone); the returned function stops watching. */
  watch(userId: string, ended: () => void): () => void;
  /** Runs one check now (tests; the timer runs them otherwise). */
  check(): Promise<void>;
}

export function createSessionWatch({
  activeAmong,
  intervalMs = SESSION_CHECK_MS,
  log = (message) => console.error(`[session-watch] ${message}`),
}: {
  /** Which of `ids` are active users now. */
  activeAmong: (ids: string[]) => Promise<Set<string>>;
  intervalMs?: number;
  log?: (message: string) => void;
}): SessionWatch {
  const watchers = new Map<string, Set<{ ended: () => void }>>();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  async function runCheck(): Promise<void> {
    const ids = [...watchers.keys()];
    if (ids.length === 0) return;
    let active: Set<string>;
    try {
      active = await activeAmong(ids);
    } catch (error) {
      // A busy database: the streams stay open, and the next check asks again.
      log(`could not check users: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    for (const id of ids) {
      if (active.has(id)) continue;
      const ending = watchers.get(id);
      watchers.delete(id);
      for (const watcher of ending ?? []) {
        try {
          watcher.ended();
        } catch (error) {
          log(`ending a stream failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    if (watchers.size === 0) stopTimer();
  }

  function check(): Promise<void> {
    // One at a time: a slow query is not stacked up by the timer.
    running ??= runCheck().finally(() => (running = null));
    return running;
  }

  function stopTimer(): void {
    if (timer) clearInterval(timer);
    timer = null;
  }

  return {
    watch(userId, ended) {
      const watcher = { ended };
      let set = watchers.get(userId);
      if (!set) watchers.set(userId, (set = new Set()));
      set.add(watcher);
      if (!timer) {
        timer = setInterval(() => void check(), intervalMs);
        timer.unref();
      }
      return () => {
        const current = watchers.get(userId);
        if (!current?.delete(watcher)) return;
        if (current.size === 0) watchers.delete(userId);
        if (watchers.size === 0) stopTimer();
      };
    },
    check,
  };
}
