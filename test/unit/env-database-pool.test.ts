// The pool's settings: a bad value stops start-up with a message naming the variable.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseEnv } from '../../lib/env';

const problems = (env: Record<string, string>): string => {
  try {
    parseEnv('databasePool', env);
    return '';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
};

describe('DATABASE_POOL_SIZE, DATABASE_CONNECT_TIMEOUT, DATABASE_STATEMENT_TIMEOUT', () => {
  test('20 connections, 5 s to get one, 15 s per statement, unless told', () => {
    assert.deepEqual(parseEnv('databasePool', {}), {
      DATABASE_POOL_SIZE: 20,
      DATABASE_CONNECT_TIMEOUT: 5_000,
      DATABASE_STATEMENT_TIMEOUT: 15_000,
    });
    assert.deepEqual(
      parseEnv('databasePool', { DATABASE_POOL_SIZE: '50', DATABASE_CONNECT_TIMEOUT: '500ms', DATABASE_STATEMENT_TIMEOUT: '2m' }),
      { DATABASE_POOL_SIZE: 50, DATABASE_CONNECT_TIMEOUT: 500, DATABASE_STATEMENT_TIMEOUT: 120_000 },
    );
  });

  test('the pool size is a whole number of at least 2: claims may hold half of it', () => {
    for (const bad of ['many', '2.5']) {
      assert.match(problems({ DATABASE_POOL_SIZE: bad }), /DATABASE_POOL_SIZE: must be a whole number of connections, such as 20/, bad);
    }
    assert.match(problems({ DATABASE_POOL_SIZE: '1' }), /DATABASE_POOL_SIZE: must be at least 2: claims may hold half of the pool/);
    assert.match(problems({ DATABASE_POOL_SIZE: '5000' }), /DATABASE_POOL_SIZE: must be at most 1000/);
  });

  test('the timeouts are durations, and a bare number (milliseconds) too small to be meant is refused', () => {
    assert.match(problems({ DATABASE_STATEMENT_TIMEOUT: 'soon' }), /DATABASE_STATEMENT_TIMEOUT: "soon" is not a duration/);
    assert.match(
      problems({ DATABASE_CONNECT_TIMEOUT: '5' }),
      /DATABASE_CONNECT_TIMEOUT: must be at least 100ms \(write a unit: 5s, not 5\)/,
    );
    assert.match(problems({ DATABASE_STATEMENT_TIMEOUT: '0s' }), /DATABASE_STATEMENT_TIMEOUT/);
  });

  test('every bad one is named at once', () => {
    const message = problems({ DATABASE_POOL_SIZE: '0', DATABASE_CONNECT_TIMEOUT: 'x', DATABASE_STATEMENT_TIMEOUT: 'y' });
    for (const name of ['DATABASE_POOL_SIZE', 'DATABASE_CONNECT_TIMEOUT', 'DATABASE_STATEMENT_TIMEOUT'])
      assert.match(message, new RegExp(name));
  });
});
