// The replay check: every committed history (test/fixtures/histories, real runs
// recorded by `npm run histories:record`) replays against the current workflow
// code. A change that would break the workflows already waiting (a
// non-determinism error) fails here, naming the history. Replay needs no
// server: the worker feeds each history to the bundled workflow code.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bundleWorkflowCode, makeTelemetryFilterString, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import * as workflows from '../../worker/workflows';
import { createWorkerLogger } from '../../worker/logger';
import { loadHistoryFixtures, workflowTypeOf, type HistoryFixture } from '../support/histories';
import { writeReleaseVariant, type ReleaseVariant } from '../support/workflow-release';

// Errors only: each replay that fails on purpose logs its non-determinism as a warning.
Runtime.install({
  logger: createWorkerLogger('ERROR'),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
});

/** How each history replayed: its name, and the error (undefined when it replayed cleanly). */
async function replay(workflowBundle: WorkflowBundle, fixtures: HistoryFixture[]): Promise<Map<string, Error | undefined>> {
  const results = new Map<string, Error | undefined>();
  const histories = fixtures.map(({ name, history }) => ({ workflowId: name, history }));
  for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'countersign-replay-check' }, histories)) {
    results.set(result.workflowId, result.error);
  }
  return results;
}

const failed = (results: Map<string, Error | undefined>) =>
  [...results].flatMap(([name, error]) => (error ? [`${name}.json: ${error.name}: ${error.message}`] : []));

describe('replaying the recorded histories', { timeout: 180_000 }, () => {
  const fixtures = loadHistoryFixtures();
  const variants: ReleaseVariant[] = [];

  before(() => {
    variants.push(writeReleaseVariant({ patched: true }), writeReleaseVariant({ patched: false }));
  });

  after(() => {
    for (const variant of variants) variant.remove();
  });

  test('there is a finished history of every workflow type worker/workflows.ts exports', () => {
    const types = new Set(fixtures.map((f) => workflowTypeOf(f.history)));
    assert.deepEqual(
      Object.keys(workflows).filter((name) => !types.has(name)),
      [],
      'workflow types with no history in test/fixtures/histories: record them (npm run histories:record)',
    );
    // A finished history takes the replay through the code after the decision too.
    const unfinished = fixtures.filter((f) => {
      const last = f.history.events?.at(-1);
      return !(
        last?.workflowExecutionCompletedEventAttributes ||
        last?.workflowExecutionFailedEventAttributes ||
        last?.workflowExecutionCanceledEventAttributes
      );
    });
    assert.deepEqual(
      unfinished.map((f) => f.name),
      [],
    );
  });

  test('every history replays against the current workflow code', async () => {
    const current = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../worker/workflows'),
      logger: createWorkerLogger('WARN'),
    });
    const results = await replay(current, fixtures);
    assert.equal(results.size, fixtures.length, 'every history was replayed');
    assert.deepEqual(failed(results), [], 'these histories no longer replay: the change breaks the workflows they stand for');
  });

  test('a release that adds a step behind patched() replays every history', async () => {
    const [patched] = variants;
    assert.ok(patched);
    const results = await replay(await patched.bundle(), fixtures);
    assert.equal(results.size, fixtures.length);
    assert.deepEqual(failed(results), []);
  });

  test('the same release without patched() fails the replay of every history with a non-determinism error', async () => {
    const [, unpatched] = variants;
    assert.ok(unpatched);
    const results = await replay(await unpatched.bundle(), fixtures);
    assert.deepEqual([...results.keys()].sort(), fixtures.map((f) => f.name).sort());
    for (const [name, error] of results) {
      assert.ok(
        error instanceof DeterminismViolationError,
        `${name}.json should fail with a DeterminismViolationError, got ${String(error)}`,
      );
    }
  });
});
