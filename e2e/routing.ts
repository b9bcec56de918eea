// Requests routed by group, for the specs about who may decide: fresh
// groups and routed requests from the real approvalWorkflow
// (worker/workflows.ts), started with a version-2 request that the worker
// resolves. Whatever a test started is ended when it ends.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { ApprovalRequest } from '../lib/contract/approval';
import type { Db } from '../lib/db';
import type { approvalWorkflow } from '../worker/workflows';
import { test as base, expect } from './support';

export interface Routed {
  approvalId: string;
  workflowId: string;
  title: string;
}

interface Fixtures {
  /** A fresh tag: every title and group of a test carries it, and its inbox is searched for it. */
  tag: string;
  /** A group named `label`-tag whose members are these people (created, without a password, when new). */
  newGroup: (label: string, members: string[]) => Promise<string>;
  /** Starts approvalWorkflow with `request` (version 2) and waits for its row; ended at the end if still waiting. */
  routedRequest: (request: Omit<ApprovalRequest, 'version'>) => Promise<Routed>;
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as the first argument.
  tag: async ({}, use) => {
    await use(`fme${randomBytes(5).toString('hex')}`);
  },
  newGroup: async ({ db, tag }, use) => {
    const groups: string[] = [];
    await use(async (label, members) => {
      const name = `${label}-${tag}`;
      const users = await Promise.all(
        members.map((email) => db.user.upsert({ where: { email }, create: { email }, update: {}, select: { id: true } })),
      );
      await db.group.create({ data: { name, members: { create: users.map((u) => ({ userId: u.id })) } } });
      groups.push(name);
      return name;
    });
    await db.group.deleteMany({ where: { name: { in: groups } } });
  },
  routedRequest: async ({ db, temporal }, use) => {
    const started: string[] = [];
    await use(async (request) => {
      const workflowId = `e2e-routed-${randomBytes(5).toString('hex')}`;
      started.push(workflowId);
      await temporal.workflow.start<typeof approvalWorkflow>('approvalWorkflow', {
        taskQueue: process.env.TEMPORAL_TASK_QUEUE ?? 'countersign',
        workflowId,
        args: [{ version: 2, ...request }],
      });
      return { workflowId, title: request.title, approvalId: await pendingRowOf(db, workflowId) };
    });
    await Promise.all(started.map((workflowId) => endIfWaiting(temporal, workflowId)));
  },
});

export async function pendingRowOf(db: Db, workflowId: string): Promise<string> {
  let id: string | undefined;
  await expect
    .poll(async () => (id = (await db.approvalRequest.findFirst({ where: { workflowId, status: 'PENDING' }, select: { id: true } }))?.id), {
      message: `the worker writes the approval row for ${workflowId}`,
    })
    .toBeDefined();
  if (!id) throw new Error('unreachable: polled until defined');
  return id;
}

export async function endIfWaiting(temporal: Client, workflowId: string): Promise<void> {
  const handle = temporal.workflow.getHandle(workflowId);
  if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('e2e cleanup');
}

export { expect };
