// What a reviewer's approve or reject form must hold before anything reaches Temporal.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { COMMENT_MAX, REASON_MAX } from '../../lib/contract/limits';
import { approveInputSchema, rejectInputSchema } from '../../lib/approvals/commands/decide';

const messages = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.error?.issues.map((i) => i.message) ?? [];

describe('approveInputSchema', () => {
  test('accepts an id alone, and reads an empty comment as none', () => {
    const id = randomUUID();
    assert.equal(approveInputSchema.parse({ id }).comment, undefined);
    assert.equal(approveInputSchema.parse({ id, comment: '' }).comment, undefined);
    assert.equal(approveInputSchema.parse({ id, comment: '   ' }).comment, undefined);
  });

  test('trims the comment', () => {
    assert.equal(approveInputSchema.parse({ id: randomUUID(), comment: '  looks right ' }).comment, 'looks right');
  });

  test(`limits the comment to COMMENT_MAX (${COMMENT_MAX}) characters`, () => {
    const id = randomUUID();
    assert.equal(approveInputSchema.safeParse({ id, comment: 'c'.repeat(COMMENT_MAX) }).success, true);
    const tooLong = approveInputSchema.safeParse({ id, comment: 'c'.repeat(COMMENT_MAX + 1) });
    assert.deepEqual(messages(tooLong), [`Comment must be at most ${COMMENT_MAX} characters`]);
  });

  test('rejects an id that is not a uuid as an unknown request', () => {
    assert.deepEqual(messages(approveInputSchema.safeParse({ id: 'order-42' })), ['Unknown request']);
  });
});

describe('rejectInputSchema', () => {
  test('requires a reason', () => {
    const id = randomUUID();
    assert.deepEqual(messages(rejectInputSchema.safeParse({ id, reason: '' })), ['A reason is required to reject']);
    assert.deepEqual(messages(rejectInputSchema.safeParse({ id, reason: '  \n ' })), ['A reason is required to reject']);
    assert.equal(rejectInputSchema.safeParse({ id }).success, false);
  });

  test('accepts a trimmed reason', () => {
    const id = randomUUID();
    assert.deepEqual(rejectInputSchema.parse({ id, reason: ' over budget ' }), { id, reason: 'over budget' });
  });

  test(`limits the reason to REASON_MAX (${REASON_MAX}) characters`, () => {
    const id = randomUUID();
    assert.equal(rejectInputSchema.safeParse({ id, reason: 'r'.repeat(REASON_MAX) }).success, true);
    const tooLong = rejectInputSchema.safeParse({ id, reason: 'r'.repeat(REASON_MAX + 1) });
    assert.deepEqual(messages(tooLong), [`Reason must be at most ${REASON_MAX} characters`]);
  });

  test('rejects an id that is not a uuid as an unknown request', () => {
    assert.deepEqual(messages(rejectInputSchema.safeParse({ id: '42', reason: 'no' })), ['Unknown request']);
  });

  test('a comment or reason with a bidirectional control is refused before anything is sent; right-to-left marks are fine', () => {
    const id = randomUUID();
    assert.match(messages(approveInputSchema.safeParse({ id, comment: 'ok\u202Eevil' })).join(), /Comment must not contain .*U\+202E/);
    assert.match(messages(rejectInputSchema.safeParse({ id, reason: 'no\u0000' })).join(), /Reason must not contain .*U\+0000/);
    assert.equal(approveInputSchema.safeParse({ id, comment: 'שלום\u200F' }).success, true);
  });
});
