// The worker's logger. The SDK puts each activity's task token into its log
// attributes; a token is a credential for the workflow, so it is redacted
// before anything is written.
import { inspect } from 'node:util';
import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';

const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
const SECRET_KEYS = new Set(['taskToken', 'base64TaskToken', 'task_token']);

/** A copy of `value` with every secret-named key, at any depth, replaced. */
export function redactSecrets(value: unknown, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, seen));
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack, cause: redactSecrets(value.cause, seen) };
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = SECRET_KEYS.has(key) ? '[redacted]' : redactSecrets(v, seen);
  return out;
}

export function formatLogEntry(entry: LogEntry): string {
  const at = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const meta = entry.meta === undefined ? '' : ` ${inspect(redactSecrets(entry.meta), { breakLength: Infinity, depth: 6 })}`;
  return `${at} [${entry.level}] ${entry.message}${meta}\n`;
}

export function parseLogLevel(value: string | undefined): LogLevel {
  const level = (value ?? 'INFO').toUpperCase();
  const found = LOG_LEVELS.find((l) => l === level);
  if (!found) throw new Error(`WORKER_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return found;
}

export function createWorkerLogger(level: LogLevel): DefaultLogger {
  return new DefaultLogger(level, (entry) => process.stderr.write(formatLogEntry(entry)));
}
