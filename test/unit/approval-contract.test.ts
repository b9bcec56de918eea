// The approval contract: what any workflow may send, and what any client may complete with.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { approvalRequestSchema, approvalResultSchema } from '../../lib/contract/approval';
import { AMOUNT_MAX, COMMENT_MAX } from '../../lib/contract/limits';

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
