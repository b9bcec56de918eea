// `npm run build:worker [path]`: bundles the workflow code once, for workers
// started with WORKFLOW_BUNDLE=<path> (worker/bundle.ts). Part of a release's
// build, beside `npm run build`; the default path is .worker-bundle/workflows.js.
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { DEFAULT_BUNDLE_PATH, WORKFLOWS_PATH } from '../worker/bundle';

async function main(): Promise<void> {
  const target = path.resolve(process.argv[2] ?? DEFAULT_BUNDLE_PATH);
  const started = Date.now();
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // Written beside, then renamed: a worker starting meanwhile never reads half a bundle.
  const partial = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(partial, code);
  fs.renameSync(partial, target);
  console.log(
    `[build:worker] workflow bundle written to ${path.relative(process.cwd(), target) || target} ` +
      `(${(code.length / 1024 / 1024).toFixed(2)} MB, ${((Date.now() - started) / 1000).toFixed(1)} s); start workers with WORKFLOW_BUNDLE=${target}`,
  );
}

/** webpack's per-module report is noise here; warnings and errors still show. */
const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(`[build:worker] ${message}`),
  error: (message: string) => console.error(`[build:worker] ${message}`),
};

main().catch((error: unknown) => {
  console.error(`[build:worker] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
