// A release of the workflow code, the way a real one is made: worker/workflows.ts
// edited to add a step before the approval. With `patched: true` the step sits
// behind patched() (runs that started earlier skip it); without, it is the
// breaking change the versioning rule forbids. Shared by the replay and the
// release tests.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { createWorkerLogger } from '../../worker/logger';

const ROOT = path.resolve(__dirname, '..', '..');
const WORKFLOWS = path.join(ROOT, 'worker', 'workflows.ts');

/** The patch id the release adds. */
export const RELEASE_PATCH_ID = 'announce-request';
/** The activity the release adds: tell the requester their request is in, before it reaches the inbox. */
export const RELEASE_ACTIVITY = 'announceRequest';

/** Where the release's step goes: in decide(), before the wait for a decision. */
const ANCHOR = 'outcome = await awaitApproval(request);';

export interface ReleaseVariant {
  /** The variant's workflows file. */
  workflowsPath: string;
  /** The variant bundled for a worker, or for replay. */
  bundle(): Promise<WorkflowBundle>;
  remove(): void;
}

/**
 * Writes worker/workflows.ts with the release's change into a temporary
 * folder. Its relative imports are made absolute, so it bundles the real
 * contract; the bundler finds the packages in the project's node_modules.
 */
export function writeReleaseVariant({ patched }: { patched: boolean }): ReleaseVariant {
  const source = fs.readFileSync(WORKFLOWS, 'utf8');
  const anchors = source.split(ANCHOR).length - 1;
  if (anchors !== 1) {
    throw new Error(
      `worker/workflows.ts holds "${ANCHOR}" ${anchors} times, not once: move the release's step in test/support/workflow-release.ts to the new code.`,
    );
  }
  const step = patched
    ? `if (releasePatched('${RELEASE_PATCH_ID}')) await ${RELEASE_ACTIVITY}(request);`
    : `await ${RELEASE_ACTIVITY}(request);`;
  const released = [
    source
      .replace(/from '(\.{1,2}\/[^']+)'/g, (_, relative: string) => `from '${path.resolve(path.dirname(WORKFLOWS), relative)}'`)
      .replace(ANCHOR, `${step}\n    ${ANCHOR}`),
    '',
    '// The release: a new activity before the approval.',
    `import { patched as releasePatched, proxyActivities as releaseActivities } from '@temporalio/workflow';`,
    `const { ${RELEASE_ACTIVITY} } = releaseActivities<{ ${RELEASE_ACTIVITY}(request: unknown): Promise<void> }>({ startToCloseTimeout: '10 seconds' });`,
    '',
  ].join('\n');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-release-'));
  const workflowsPath = path.join(dir, 'workflows.ts');
  fs.writeFileSync(workflowsPath, released);
  return {
    workflowsPath,
    bundle: () =>
      bundleWorkflowCode({
        workflowsPath,
        logger: createWorkerLogger('WARN'),
        webpackConfigHook: (config) => ({
          ...config,
          resolve: { ...config.resolve, modules: [...(config.resolve?.modules ?? []), path.join(ROOT, 'node_modules')] },
        }),
      }),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
