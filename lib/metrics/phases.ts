// Where a decision's time goes, step by step: the histogram
// countersign_decision_phase_seconds, one observation per step of each
// decision. An operator sees which step slow decisions wait in; `npm run
// bench` reads it (before and after a run) to profile the decision path.
import { metrics } from './registry';

/**
 * The steps of a decision, in order (lib/approvals/commands/decide.ts):
 * - take: the first transaction: the row locked (after any other decision's lease), the decider read beside it,
 *   the votes read, the checks, the lease taken; a completion's still-wanted read to Temporal starts here;
 * - still_wanted: what is left to wait of that read once the lease is taken;
 * - temporal: the one write to Temporal: the completion or failure (or a vote's heartbeat);
 * - record: the second transaction: the vote, the row, the event and the audit entry, the lease ended.
 */
export const DECISION_PHASES = ['take', 'still_wanted', 'temporal', 'record'] as const;
export type DecisionPhase = (typeof DECISION_PHASES)[number];

/** Laps of one decision: each `lap` records the time since the previous one (or since the clock started) under its step. */
export class PhaseClock {
  #last = performance.now();

  /** `path`: where the decision came from (DASHBOARD, API, EMAIL), as the decision histogram labels it. */
  constructor(private readonly path: string) {}

  lap(phase: DecisionPhase): void {
    const now = performance.now();
    metrics().decisionPhaseSeconds.observe({ path: this.path, phase }, (now - this.#last) / 1000);
    this.#last = now;
  }
}
