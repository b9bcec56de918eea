import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLogEntry, parseLogLevel, redactSecrets } from '../../worker/logger';

test('redactSecrets replaces task tokens at any depth and keeps everything else', () => {
  const meta = { activityId: 'approval', taskToken: 'c2VjcmV0', nested: { base64TaskToken: 'c2VjcmV0', list: [{ taskToken: 'x' }] } };
  assert.deepEqual(redactSecrets(meta), {
    activityId: 'approval',
    taskToken: '[redacted]',
    nested: { base64TaskToken: '[redacted]', list: [{ taskToken: '[redacted]' }] },
  });
});

test('redactSecrets survives cycles', () => {
  const meta: Record<string, unknown> = { taskToken: 'x' };
  meta.self = meta;
  assert.deepEqual(redactSecrets(meta), { taskToken: '[redacted]', self: '[circular]' });
});

test('a formatted log line never holds the token', () => {
  const line = formatLogEntry({
    level: 'WARN',
    message: 'Activity failed',
    meta: { taskToken: 'c2VjcmV0LXRva2Vu', attempt: 2 },
    timestampNanos: 1_700_000_000_000_000_000n,
  });
  assert.ok(!line.includes('c2VjcmV0LXRva2Vu'));
  assert.match(line, /^2023-11-14T22:13:20\.000Z \[WARN\] Activity failed .*attempt: 2/);
});

test('parseLogLevel accepts the SDK levels in any case and names the variable otherwise', () => {
  assert.equal(parseLogLevel(undefined), 'INFO');
  assert.equal(parseLogLevel('debug'), 'DEBUG');
  assert.throws(() => parseLogLevel('loud'), /WORKER_LOG_LEVEL/);
});
