// The Go client (test/go-client, the Temporal Go SDK), built and run from the
// tests: test/integration/go-client.test.ts decides with it, and the e2e specs
// (e2e/go-quorum.spec.ts, e2e/quorum-race.spec.ts) run its Go workflow.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const GO_CLIENT_DIR = path.resolve(__dirname, '..', 'go-client');
/** The Go workflow's type name (test/go-client/workflow.go): the row's workflowType. */
export const GO_APPROVAL_WORKFLOW = 'goApprovalWorkflow';

/**
 * Builds test/go-client into `outDir`. The first build on a machine downloads the
 * modules (go.sum is committed) and compiles the SDK: tens of seconds.
 * GOTOOLCHAIN=local: use this Go, never fetch another toolchain; -buildvcs=false:
 * a test binary needs no VCS stamp (and a fresh clone owned by someone else
 * would otherwise fail on git's safe.directory check).
 */
export async function buildGoClient(outDir: string): Promise<string> {
  try {
    await run('go', ['version'], { timeout: 30_000 });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? '`go` is not on PATH' : `\`go version\` failed: ${String(error)}`;
    throw new Error(`${reason}. The Go client tests need Go (1.26+, e.g. /usr/local/go/bin) on PATH: install Go, not skip these tests.`);
  }
  const binary = path.join(outDir, 'go-client');
  try {
    await run('go', ['build', '-o', binary, '.'], {
      cwd: GO_CLIENT_DIR,
      env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false' },
      timeout: 600_000,
    });
  } catch (error) {
    throw new Error(`go build of test/go-client failed: ${(error as { stderr?: string }).stderr || String(error)}`);
  }
  return binary;
}

let built: Promise<string> | undefined;

/**
 * The Go client, built once per test process into a temporary folder that goes
 * when the process exits: every spec that runs the Go workflow shares it.
 */
export function builtGoClient(): Promise<string> {
  if (!built) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-go-client-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    built = buildGoClient(dir);
  }
  return built;
}

/** What the Go workflow returns, and `go-client request` prints (approvalOutcome in workflow.go). */
export interface GoApprovalOutcome {
  status: 'APPROVED' | 'REJECTED' | 'EXPIRED';
  approved: boolean;
  approvers?: string[];
  onBehalfOf?: Record<string, string>;
  reviewer?: string;
  reason?: string;
  values?: Record<string, unknown>;
}

export interface GoRequest {
  /** The workflow's outcome, once `go-client request` prints it and exits 0; rejects if it exits otherwise. */
  outcome: Promise<GoApprovalOutcome>;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s) if it still runs; resolves once it has exited. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 5_000;

/**
 * Runs `go-client request <args>`: the Go worker, and the Go workflow it starts
 * (the workflow keeps waiting in Temporal if the process is stopped; end it there).
 */
export function startGoRequest(binary: string, args: string[]): GoRequest {
  const child = spawn(binary, ['request', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const outcome = exited.then(({ code, signal }) => {
    if (code !== 0) throw new Error(`go-client request exited with ${signal ?? `status ${code}`}:\n${stderr}`);
    try {
      return JSON.parse(stdout) as GoApprovalOutcome;
    } catch {
      throw new Error(`go-client request printed no JSON outcome: ${JSON.stringify(stdout)}\n${stderr}`);
    }
  });
  // A test that never awaits the outcome (it failed first) must not see an unhandled rejection.
  outcome.catch(() => undefined);
  return {
    outcome,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited.catch(() => undefined);
      clearTimeout(timer);
    },
  };
}
