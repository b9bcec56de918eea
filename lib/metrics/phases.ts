// Where a decision's time goes, step by step: the histogram
// countersign_decision_phase_seconds, one observation per step of each
// decision. An operator sees which step slow decisions wait in; `npm run
// bench` reads it (before and after a run) to profile the decision path.
import { metrics } from './registry';

/**
 * The steps of a decision, in order:
 * - actor: the decider's user, groups and delegations read;
 * - slot: waiting for one of the process's locked connections (commands/in-flight.ts);
 * - begin: a connection from the pool, and BEGIN;
 * - lock: the row read FOR UPDATE (and any wait for another decision's lock);
 * - checks: the votes read, eligibility and values checked;
 * - heartbeat: asking Temporal whether the approval is still wanted;
 * - temporal: completing (or failing) the activity;
 * - writes: the vote, the row, the event and the audit entry;
 * - commit: COMMIT, and the connection back to the pool.
 */
export const DECISION_PHASES = ['actor', 'slot', 'begin', 'lock', 'checks', 'heartbeat', 'temporal', 'writes', 'commit'] as const;
export type DecisionPhase = (typeof DECISION_PHASES)[number];

/** Laps of one decision: each `lap` records the time since the previous one (or since the clock started) under its step. */
export class PhaseClock {
  #last = performance.now();

  lap(phase: DecisionPhase): void {
    const now = performance.now();
    metrics().decisionPhaseSeconds.observe({ phase }, (now - this.#last) / 1000);
    this.#last = now;
  }

  /** Forgets the time since the last lap (a step not worth a phase of its own). */
  skip(): void {
    this.#last = performance.now();
  }
}
