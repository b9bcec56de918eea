// The workflow code the worker runs: bundled with webpack when it starts (for
// development, where the code changes), or prebuilt once per release by
// `npm run build:worker` and named by WORKFLOW_BUNDLE (Temporal's guidance for
// production: no webpack in the running worker, a faster start, less memory,
// and the bundle that was tested is the one that runs).
import fs from 'node:fs';
import path from 'node:path';

/** Where `npm run build:worker` writes the bundle unless told otherwise. */
export const DEFAULT_BUNDLE_PATH = path.join('.worker-bundle', 'workflows.js');

export const WORKFLOWS_PATH = require.resolve('./workflows');

export type WorkflowSource = { workflowBundle: { codePath: string } } | { workflowsPath: string };

/** The worker's workflow code, from WORKFLOW_BUNDLE when it is set; a bad value stops the worker, naming it. */
export function workflowSource(setting = process.env.WORKFLOW_BUNDLE): WorkflowSource {
  if (!setting) return { workflowsPath: WORKFLOWS_PATH };
  const codePath = path.resolve(setting);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(codePath);
  } catch {
    throw new Error(
      `WORKFLOW_BUNDLE: there is no file at ${codePath} (build it with \`npm run build:worker\`, or unset WORKFLOW_BUNDLE to bundle at start)`,
    );
  }
  if (!stat.isFile()) throw new Error(`WORKFLOW_BUNDLE: ${codePath} is not a file (it names the bundle \`npm run build:worker\` writes)`);
  return { workflowBundle: { codePath } };
}

/** How the ready line says where the workflow code came from. */
export const describeWorkflowSource = (source: WorkflowSource): string =>
  'workflowBundle' in source ? `prebuilt workflows ${source.workflowBundle.codePath}` : 'workflows bundled at start';
