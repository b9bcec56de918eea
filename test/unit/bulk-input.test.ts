// The bulk decision's input: ids in one spelling, each once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bulkIdsSchema } from '../../lib/approvals/commands/bulk';

describe('bulkIdsSchema', () => {
  test('the same id in upper and lower case is one request, decided once', () => {
    const id = '0b5c7d8e-1f2a-4b3c-8d4e-5f6a7b8c9d0e';
    assert.deepEqual(bulkIdsSchema.parse([id.toUpperCase(), id]), [id]);
  });
});
