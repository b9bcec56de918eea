// What a slow Temporal may hold in one process. Each person has
// DECISIONS_PER_USER decisions and claims in flight at most (one more is
// refused, BUSY). A decision holds no connection while Temporal answers (its
// row is leased instead: ../records/lease.ts); a claim holds a connection and
// the row lock across its heartbeat, so claims together hold at most half of
// the pool (one more waits for a turn, as long as for a connection, else
// OVERLOADED). The other half is for pages and decisions' short transactions.
import { poolSettings, type Db } from '../../db';
import { createKeyedSlots } from '../../keyed-slots';
import { busy, overloaded } from '../errors';

/** Decisions and claims one person may have in flight in one process. A bulk decision runs its lanes in these. */
export const DECISIONS_PER_USER = 4;

/** A bulk decision's lanes: all but one slot, so a single decision (another tab) still fits beside it. */
export const BULK_LANES = DECISIONS_PER_USER - 1;

/** Connections that claims may hold across Temporal at once: half of the pool, at least one. */
export const lockedConnectionsOf = (poolSize: number): number => Math.max(1, Math.floor(poolSize / 2));

class InFlight {
  readonly #perUser = createKeyedSlots(DECISIONS_PER_USER);
  readonly #waiting: (() => void)[] = [];
  #holding = 0;

  constructor(
    private readonly capacity: number,
    private readonly waitMs: number,
  ) {}

  /**
   * Runs `run` in up to `wanted` of `email`'s slots: as many as are free, at
   * least one, else BUSY. `run` learns how many it got (a bulk decision's lanes).
   */
  async asUser<T>(email: string, wanted: number, run: (slots: number) => Promise<T>): Promise<T> {
    const slots = this.#perUser.acquire(email.toLowerCase(), wanted);
    if (!slots) throw busy(DECISIONS_PER_USER);
    try {
      return await run(slots.count);
    } finally {
      slots.release();
    }
  }

  /** Runs `run` holding one of the locked connections; waits in turn for one as long as for a connection, else OVERLOADED. */
  async holdingConnection<T>(run: () => Promise<T>): Promise<T> {
    await this.#take();
    try {
      return await run();
    } finally {
      this.#give();
    }
  }

  #take(): Promise<void> {
    if (this.#holding < this.capacity && this.#waiting.length === 0) {
      this.#holding++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const turn = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(turn), 1);
        reject(overloaded());
      }, this.waitMs);
      this.#waiting.push(turn);
    });
  }

  #give(): void {
    const next = this.#waiting.shift();
    // The connection passes straight to the next in line: the count stays.
    if (next) next();
    else this.#holding--;
  }
}

const inFlightOf = new WeakMap<Db, InFlight>();

/** The in-flight limits of `db`'s process (one pool per process; tests make their own). */
export function inFlight(db: Db): InFlight {
  let limits = inFlightOf.get(db);
  if (!limits) {
    const { size, connectTimeoutMs } = poolSettings(db);
    limits = new InFlight(lockedConnectionsOf(size), connectTimeoutMs);
    inFlightOf.set(db, limits);
  }
  return limits;
}
