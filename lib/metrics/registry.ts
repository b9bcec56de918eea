// Countersign's Prometheus metrics: one registry per process, the instruments
// the domain records into (decisions, Temporal call errors), and the gauges
// GET /api/metrics fills from the database at each scrape (./database.ts).
//
// Counters and histograms count what this process did; the gauges read the
// shared database, so every web process reports the same global values.
import { ActivityCompletionError, isGrpcServiceError } from '@temporalio/client';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { APPROVAL_STATUSES } from '../contract/statuses';

/** Decision durations, in seconds: a decision may wait up to 5 s for Temporal (COMPLETION_DEADLINE_MS), plus the database. */
const DECISION_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 20];

function createMetrics() {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    /** Whether prom-client's process metrics are on (servedRegistry turns them on). */
    processMetrics: false,
    decisionSeconds: new Histogram({
      name: 'countersign_decision_duration_seconds',
      help: 'How long deciding a request took in this process (lock, eligibility, Temporal, the row), by path and outcome: APPROVED, REJECTED, RECORDED (an approval short of the quorum), or the error code that refused it.',
      labelNames: ['path', 'outcome'] as const,
      buckets: DECISION_BUCKETS,
      registers,
    }),
    decisionPhaseSeconds: new Histogram({
      name: 'countersign_decision_phase_seconds',
      help: 'How long each step of a decision took in this process, by path (lib/metrics/phases.ts names the steps): where decisions spend their time.',
      labelNames: ['path', 'phase'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    temporalErrors: new Counter({
      name: 'countersign_temporal_call_errors_total',
      help: 'Calls this process made to Temporal for an approval that failed (unreachable, deadline, refused), by operation and gRPC status. An activity that is gone is an answer, not an error.',
      labelNames: ['operation', 'code'] as const,
      registers,
    }),
    requests: new Gauge({
      name: 'countersign_approval_requests',
      help: 'Approval requests in the database, by status (PENDING are waiting for a decision).',
      labelNames: ['status'] as const,
      registers,
    }),
    oldestPendingSeconds: new Gauge({
      name: 'countersign_oldest_pending_request_age_seconds',
      help: 'Seconds since the oldest pending request was first asked for (0 when none waits).',
      registers,
    }),
    reconcilerLagSeconds: new Gauge({
      name: 'countersign_reconciler_lag_seconds',
      help: 'Seconds the most overdue pending request has been past its deadline (0 when none). The re-issue or the worker reconciler brings such a row in line within about RECONCILE_GRACE + RECONCILE_INTERVAL; growth means neither is keeping up.',
      registers,
    }),
    outboxBacklog: new Gauge({
      name: 'countersign_outbox_backlog',
      help: 'Outbox messages due to be sent and not sent yet, by kind (EVENT, EMAIL, WEBHOOK).',
      labelNames: ['kind'] as const,
      registers,
    }),
    outboxOldestDueSeconds: new Gauge({
      name: 'countersign_outbox_oldest_due_seconds',
      help: 'Seconds the longest-waiting due outbox message has been due, by kind (0 when none).',
      labelNames: ['kind'] as const,
      registers,
    }),
    outboxFailed: new Gauge({
      name: 'countersign_outbox_failed',
      help: 'Outbox messages given up on after their last retry, by kind: an admin may send them again.',
      labelNames: ['kind'] as const,
      registers,
    }),
  };
}

export type CountersignMetrics = ReturnType<typeof createMetrics>;

const globalForMetrics = globalThis as unknown as { countersignMetrics?: CountersignMetrics };

/**
 * The process's one set of metrics, kept on globalThis: Next.js may load this
 * module once per route bundle (and again on each dev reload), and a second
 * registry would split the counts between the route that records and the one
 * that serves them.
 */
export function metrics(): CountersignMetrics {
  globalForMetrics.countersignMetrics ??= createMetrics();
  return globalForMetrics.countersignMetrics;
}

/**
 * The registry as GET /api/metrics serves it, with prom-client's process
 * metrics (CPU, memory, event loop lag, GC, handles) started on first use:
 * a process that never serves metrics (the worker) does not run their timers.
 */
export function servedRegistry(): Registry {
  const m = metrics();
  if (!m.processMetrics) {
    collectDefaultMetrics({ register: m.registry });
    m.processMetrics = true;
  }
  return m.registry;
}

/** Every status gets a series, 0 included, so an alert never sees one vanish. */
export const REQUEST_STATUSES = APPROVAL_STATUSES;

/** What a decision came to, for the histogram: its status, or the code of the error that refused it. */
export function decisionOutcome(result: { status: string } | { error: unknown }): string {
  if ('status' in result) return result.status === 'PENDING' ? 'RECORDED' : result.status;
  const code = (result.error as { code?: unknown } | null)?.code;
  // Only the domain's own codes (upper-case words): a driver's code would make an unbounded label.
  return typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code) ? code : 'ERROR';
}

/** Times one decision and records it under its path and outcome; the decision's result or error passes through. */
export async function timeDecision<T extends { status: string }>(path: string, decide: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const observe = (outcome: string) => metrics().decisionSeconds.observe({ path, outcome }, (performance.now() - started) / 1000);
  try {
    const result = await decide();
    observe(decisionOutcome(result));
    return result;
  } catch (error) {
    observe(decisionOutcome({ error }));
    throw error;
  }
}

/** gRPC status names, by code (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
const GRPC_STATUS = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/**
 * The gRPC status behind a Temporal client error (the SDK wraps it in its own
 * errors), or COMPLETION_ERROR for a completion or heartbeat the SDK refused
 * without keeping the status (only its words), or OTHER.
 */
export function grpcStatusOf(error: unknown): string {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    if (isGrpcServiceError(cause)) return GRPC_STATUS[cause.code] ?? 'OTHER';
  }
  return error instanceof ActivityCompletionError ? 'COMPLETION_ERROR' : 'OTHER';
}

/** The operations of lib/approvals/temporal that count their errors. */
export type TemporalOperation = 'activity_call' | 'describe' | 'read_truth' | 'report_cancellation';

/** Counts one failed call to Temporal; the caller still throws or handles the error as before. */
export function countTemporalError(operation: TemporalOperation, error: unknown): void {
  metrics().temporalErrors.inc({ operation, code: grpcStatusOf(error) });
}
