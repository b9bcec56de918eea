// The contract's statuses and decision paths are the database enums' values:
// one list, and the schema may not drift from it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApprovalStatus as DbApprovalStatus, DecisionPath as DbDecisionPath } from '@prisma/client';
import { APPROVAL_STATUSES, DECISION_PATHS, type ApprovalStatus, type DecisionPath } from '../../lib/contract/statuses';

// Compile-time: each list is exactly the generated enum, both ways.
const statusesCoverDb: Record<DbApprovalStatus, ApprovalStatus> = DbApprovalStatus;
const pathsCoverDb: Record<DbDecisionPath, DecisionPath> = DbDecisionPath;

describe('statuses', () => {
  test('APPROVAL_STATUSES are the ApprovalStatus enum of prisma/schema.prisma, in its order', () => {
    assert.deepEqual([...APPROVAL_STATUSES], Object.values(statusesCoverDb));
  });

  test('DECISION_PATHS are the DecisionPath enum of prisma/schema.prisma, in its order', () => {
    assert.deepEqual([...DECISION_PATHS], Object.values(pathsCoverDb));
  });
});
