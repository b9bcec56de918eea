// The approval contract: what any workflow may send, and what any client may complete with.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import {
  APPROVAL_DENIED,
  approvalOutcomeSchema,
  approvalRequestSchema,
  approvalResultSchema,
  outcomeOfRejection,
} from '../../lib/contract/approval';
import { AMOUNT_MAX, COMMENT_MAX, FIELDS_MAX, REASON_MAX } from '../../lib/contract/limits';

describe('approvalRequestSchema', () => {
  test('accepts a full request', () => {
    const input = {
      title: 'Refund for order 42',
      summary: 'Customer asked twice',
      requester: 'support@example.com',
      amount: 99.95,
      currency: 'USD',
      fields: { orderId: '42', lines: 3 },
    };
    assert.deepEqual(approvalRequestSchema.parse(input), input);
  });

  test('accepts a title alone: every other field is optional', () => {
    assert.deepEqual(approvalRequestSchema.parse({ title: 'Deploy to production' }), { title: 'Deploy to production' });
  });

  test('rejects an amount the database column cannot hold, instead of failing the write', () => {
    assert.equal(approvalRequestSchema.safeParse({ title: 'x', amount: AMOUNT_MAX }).success, true);
    const result = approvalRequestSchema.safeParse({ title: 'x', amount: 1e16 });
    assert.equal(result.success, false);
    assert.deepEqual(result.error?.issues[0]?.path, ['amount']);
  });

  test('rejects a currency that is not an upper-case ISO 4217 code', () => {
    for (const currency of ['usd', 'US', 'DOLLARS']) {
      const result = approvalRequestSchema.safeParse({ title: 'x', currency });
      assert.equal(result.success, false, currency);
      assert.match(result.error?.issues[0]?.message ?? '', /ISO 4217/);
      assert.deepEqual(result.error?.issues[0]?.path, ['currency']);
    }
  });

  test('rejects a blank title', () => {
    const result = approvalRequestSchema.safeParse({ title: '   ' });
    assert.equal(result.success, false);
    assert.match(result.error?.issues[0]?.message ?? '', /title is required/);
  });

  test('reads null optional fields (as Go sends them without omitempty) as absent', () => {
    const parsed = approvalRequestSchema.parse({ title: 'x', summary: null, requester: null, amount: null, currency: null, fields: null });
    assert.deepEqual(parsed, {
      title: 'x',
      summary: undefined,
      requester: undefined,
      amount: undefined,
      currency: undefined,
      fields: undefined,
    });
  });

  test('drops unknown keys instead of rejecting the request', () => {
    const parsed = approvalRequestSchema.parse({ title: 'x', priority: 'high', nested: { a: 1 } });
    assert.deepEqual(parsed, { title: 'x' });
  });

  test('rejects a negative or non-finite amount', () => {
    assert.equal(approvalRequestSchema.safeParse({ title: 'x', amount: -1 }).success, false);
    assert.equal(approvalRequestSchema.safeParse({ title: 'x', amount: Infinity }).success, false);
  });
});

describe('approvalResultSchema', () => {
  test('accepts an approval with a reviewer and an optional comment', () => {
    assert.deepEqual(approvalResultSchema.parse({ approved: true, reviewer: 'ops' }), { approved: true, reviewer: 'ops' });
    assert.deepEqual(approvalResultSchema.parse({ approved: true, reviewer: 'ops', comment: 'fine' }), {
      approved: true,
      reviewer: 'ops',
      comment: 'fine',
    });
  });

  test('reads a null comment as absent', () => {
    assert.equal(approvalResultSchema.parse({ approved: true, reviewer: 'ops', comment: null }).comment, undefined);
  });

  test('rejects anything but approved: true (a rejection is a failure, not a result)', () => {
    assert.equal(approvalResultSchema.safeParse({ approved: false, reviewer: 'ops' }).success, false);
    assert.equal(approvalResultSchema.safeParse({ approved: 'true', reviewer: 'ops' }).success, false);
    assert.equal(approvalResultSchema.safeParse(null).success, false);
  });

  test('requires a reviewer', () => {
    assert.equal(approvalResultSchema.safeParse({ approved: true }).success, false);
    assert.equal(approvalResultSchema.safeParse({ approved: true, reviewer: '' }).success, false);
  });

  test(`limits the comment to COMMENT_MAX (${COMMENT_MAX}) characters`, () => {
    assert.equal(approvalResultSchema.safeParse({ approved: true, reviewer: 'ops', comment: 'a'.repeat(COMMENT_MAX) }).success, true);
    assert.equal(approvalResultSchema.safeParse({ approved: true, reviewer: 'ops', comment: 'a'.repeat(COMMENT_MAX + 1) }).success, false);
  });
});

describe('hostile text', () => {
  const HOSTILE = ['\u0000', '\u202A', '\u202C', '\u202E', '\u2066', '\u2067', '\u2069'];

  test('NUL and every bidirectional control are refused in each string of a request, naming the field', () => {
    for (const c of HOSTILE) {
      for (const [request, path] of [
        [{ title: `a${c}b` }, 'title'],
        [{ title: 'x', summary: c }, 'summary'],
        [{ title: 'x', requester: c }, 'requester'],
        [{ title: 'x', fields: { note: `v${c}` } }, 'fields.note'],
      ] as const) {
        const result = approvalRequestSchema.safeParse(request);
        assert.equal(result.success, false, `${path} with U+${c.charCodeAt(0).toString(16)}`);
        assert.ok(
          result.error?.issues.some((i) => i.path.join('.') === path && /must not contain NUL or bidirectional/.test(i.message)),
          JSON.stringify(result.error?.issues),
        );
      }
      const key = approvalRequestSchema.safeParse({ title: 'x', fields: { [`k${c}`]: 1 } });
      assert.match(key.error?.issues[0]?.message ?? '', /^the field name "k\[U\+[0-9A-F]{4}\]" must not contain/);
    }
  });

  test(`fields hold at most FIELDS_MAX (${FIELDS_MAX}) entries`, () => {
    const fields = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i]));
    assert.equal(approvalRequestSchema.safeParse({ title: 'x', fields: fields(FIELDS_MAX) }).success, true);
    const result = approvalRequestSchema.safeParse({ title: 'x', fields: fields(FIELDS_MAX + 1) });
    assert.deepEqual(result.error?.issues[0]?.path, ['fields']);
  });

  test('a result naming a reviewer with a bidirectional control is not a valid approval', () => {
    assert.equal(approvalResultSchema.safeParse({ approved: true, reviewer: 'cfo\u202Eevil' }).success, false);
  });

  test("a rejection whose reason is null (a Go caller's nil) is recorded with an empty reason", () => {
    const parsed = approvalOutcomeSchema.safeParse({ status: 'REJECTED', decidedBy: 'ops', reason: null });
    assert.equal(parsed.success, true);
    assert.ok(parsed.data?.status === 'REJECTED' && parsed.data.reason === '');
  });

  test('an outside rejection is kept within the outcome contract: controls spelled out, long text cut', () => {
    const failure = ApplicationFailure.create({
      type: APPROVAL_DENIED,
      message: `No\u0000${'x'.repeat(REASON_MAX)}`,
      nonRetryable: true,
      details: [{ reviewer: 'ops\u202E' }],
    });
    const outcome = outcomeOfRejection(failure);
    assert.equal(approvalOutcomeSchema.safeParse(outcome).success, true, JSON.stringify(outcome).slice(0, 200));
    assert.ok(outcome.status === 'REJECTED' && outcome.decidedBy === 'ops[U+202E]' && outcome.reason.startsWith('No[U+0000]x'));
  });
});
