// The pure parts of health and metrics: their settings, the bearer check of
// GET /api/metrics, and the labels a decision or a Temporal error is counted under.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { ActivityCompletionError } from '@temporalio/client';
import { ApprovalError } from '../../lib/approvals/errors';
import { parseEnv } from '../../lib/env';
import { decisionOutcome, grpcStatusOf } from '../../lib/metrics/registry';

// lib/metrics/endpoint.ts is marked `server-only`, which throws outside Next's react-server build: stubbed here.
const requireHere = createRequire(__filename);
const serverOnly = requireHere.resolve('server-only');
requireHere.cache[serverOnly] = { id: serverOnly, filename: serverOnly, loaded: true, exports: {} } as NodeJS.Module;
const { bearerMatches } = requireHere('../../lib/metrics/endpoint') as typeof import('../../lib/metrics/endpoint');

describe('METRICS_TOKEN', () => {
  test('unset or empty turns the endpoint off', () => {
    assert.equal(parseEnv('metrics', {}).METRICS_TOKEN, undefined);
    assert.equal(parseEnv('metrics', { METRICS_TOKEN: '' }).METRICS_TOKEN, undefined);
  });

  test('a short token is refused, naming the setting', () => {
    assert.throws(() => parseEnv('metrics', { METRICS_TOKEN: 'short' }), /METRICS_TOKEN: must be at least 24 characters/);
  });
});

describe('WORKER_METRICS_ADDRESS', () => {
  for (const address of ['0.0.0.0:9464', '127.0.0.1:1', '[::]:9464', '[::1]:65535']) {
    test(`accepts ${address}`, () => {
      assert.equal(parseEnv('workerTelemetry', { WORKER_METRICS_ADDRESS: address }).WORKER_METRICS_ADDRESS, address);
    });
  }

  for (const address of ['localhost:9464', '9464', '0.0.0.0', '0.0.0.0:0', '0.0.0.0:70000', 'http://0.0.0.0:9464']) {
    test(`refuses ${address}, naming the setting`, () => {
      assert.throws(() => parseEnv('workerTelemetry', { WORKER_METRICS_ADDRESS: address }), /WORKER_METRICS_ADDRESS: must/);
    });
  }

  test('unset turns the SDK metrics off', () => {
    assert.equal(parseEnv('workerTelemetry', {}).WORKER_METRICS_ADDRESS, undefined);
  });
});

describe('bearerMatches', () => {
  const token = 'a'.repeat(20) + 'secret-token';

  test('accepts exactly "Bearer <token>"', () => {
    assert.equal(bearerMatches(`Bearer ${token}`, token), true);
    assert.equal(bearerMatches(`bearer ${token}`, token), true);
  });

  for (const [what, header] of [
    ['no header', null],
    ['an empty one', ''],
    ['the bare token', token],
    ['another scheme', `Basic ${token}`],
    ['a prefix of the token', `Bearer ${token.slice(0, -1)}`],
    ['the token and more', `Bearer ${token}x`],
    ['two tokens', `Bearer ${token} ${token}`],
  ] as const) {
    test(`refuses ${what}`, () => {
      assert.equal(bearerMatches(header, token), false);
    });
  }
});

describe('decisionOutcome', () => {
  test('a decision is counted under its status; an approval short of the quorum as RECORDED', () => {
    assert.equal(decisionOutcome({ status: 'APPROVED' }), 'APPROVED');
    assert.equal(decisionOutcome({ status: 'REJECTED' }), 'REJECTED');
    assert.equal(decisionOutcome({ status: 'PENDING' }), 'RECORDED');
  });

  test("a refusal under its domain code; anything else as ERROR, never a driver's code", () => {
    assert.equal(decisionOutcome({ error: new ApprovalError('ALREADY_DECIDED', 'Already approved') }), 'ALREADY_DECIDED');
    assert.equal(decisionOutcome({ error: Object.assign(new Error('pg'), { code: '57014' }) }), 'ERROR');
    assert.equal(decisionOutcome({ error: new Error('boom') }), 'ERROR');
    assert.equal(decisionOutcome({ error: 'a string' }), 'ERROR');
  });
});

describe('grpcStatusOf', () => {
  const grpcError = (code: number) => Object.assign(new Error('grpc'), { code, details: 'details', metadata: {} });

  test('names the gRPC status, found through the causes the SDK wraps it in', () => {
    assert.equal(grpcStatusOf(grpcError(14)), 'UNAVAILABLE');
    assert.equal(grpcStatusOf(new Error('wrapped', { cause: grpcError(4) })), 'DEADLINE_EXCEEDED');
  });

  test('a completion the SDK refused without its status is COMPLETION_ERROR; anything else OTHER', () => {
    assert.equal(grpcStatusOf(new ActivityCompletionError('Deadline exceeded')), 'COMPLETION_ERROR');
    assert.equal(grpcStatusOf(new Error('boom')), 'OTHER');
    assert.equal(grpcStatusOf(grpcError(99)), 'OTHER');
  });
});
