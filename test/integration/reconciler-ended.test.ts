// The reconciler reads a waiting request again only after a pause (it is
// still waiting; reading it every sweep would cost a describe and a history
// read each time). A run that ends meanwhile is news, though: the next sweep
// must close its row, not the first sweep after the pause.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSweeper } from '../../worker/reconciler/sweep';
import { findApproval, startBareApproval, useServices, withWorker } from './helpers';

const WORKFLOWS = require.resolve('./workflows');

describe('the reconciler and a run that ends after it was read as waiting', { timeout: 120_000 }, () => {
  const services = useServices();

  test('a workflow terminated after a sweep read its request as waiting is closed by the next sweep', async () => {
    await withWorker(
      services,
      async (taskQueue) => {
        const { handle } = await startBareApproval(services, taskQueue);
        const sweeper = createSweeper({ db: services.db, temporal: services.client, graceMs: 0 }, { taskQueue });
        // Enough sweeps for the rotating batch to have read every pending row of the shared database once.
        const pending = await services.db.approvalRequest.count({ where: { status: 'PENDING' } });
        for (let i = 0; i <= Math.ceil(pending / 25) + 1; i++) await sweeper.sweep();
        assert.equal((await findApproval(services.db, handle.workflowId))?.status, 'PENDING', 'read, and still waiting');

        await handle.terminate('ended outside Countersign');
        const report = await sweeper.sweep();
        assert.ok(report.closed >= 1, JSON.stringify(report));
        const row = await findApproval(services.db, handle.workflowId);
        assert.equal(row?.status, 'TERMINATED');
      },
      { workflowsPath: WORKFLOWS },
    );
  });
});
