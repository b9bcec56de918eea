// The worker's Temporal runtime: its logger, and the SDK's own Prometheus
// metrics (pollers, task slots, schedule-to-start and execution latencies,
// request failures) served at WORKER_METRICS_ADDRESS under /metrics.
import { Runtime, type Logger } from '@temporalio/worker';
import { workerTelemetryEnv } from '../lib/env';

/**
 * Installs the process's one Temporal runtime. It must run before any
 * connection is made: the runtime is created with the first one, and cannot
 * be changed afterwards. Returns the metrics address, if any.
 *
 * The SDK's default names are kept (temporal_ prefix, durations in
 * milliseconds, counters without _total), so Temporal's own SDK dashboards
 * read them as they are.
 */
export function installWorkerRuntime(logger: Logger): { metricsAddress?: string } {
  const { WORKER_METRICS_ADDRESS } = workerTelemetryEnv();
  Runtime.install({
    logger,
    ...(WORKER_METRICS_ADDRESS ? { telemetryOptions: { metrics: { prometheus: { bindAddress: WORKER_METRICS_ADDRESS } } } } : {}),
  });
  return WORKER_METRICS_ADDRESS ? { metricsAddress: WORKER_METRICS_ADDRESS } : {};
}
