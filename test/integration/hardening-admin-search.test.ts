// The admin queue's search takes % and _ as the characters they are, as the
// inbox's does (one escaping, lib/approvals/reads/search.ts).
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { APPROVAL_ACTIVITY_ID } from '../../lib/contract/approval';
import type { Db } from '../../lib/db';
import { listAdminQueue } from '../../lib/approvals/reads/queries';
import { openDb } from './helpers';

const tag = randomBytes(5).toString('hex');
/** Titles that differ only where a wildcard would match. */
const TITLES = [`Sale ${tag} 50%off`, `Sale ${tag} 50_off`, `Sale ${tag} 50Xoff`, `Sale ${tag} 500ff`, `Sale ${tag} 50 percent off`];

describe('admin queue search', { timeout: 60_000 }, () => {
  let db: Db;
  const ids: string[] = [];

  before(async () => {
    db = await openDb();
    const now = Date.now();
    // Written directly (no workflow, no audit events): deleted afterwards.
    await db.approvalRequest.createMany({
      data: TITLES.map((title, i) => {
        const id = randomUUID();
        ids.push(id);
        return {
          id,
          workflowId: `search-${tag}-${i}`,
          runId: randomUUID(),
          activityId: APPROVAL_ACTIVITY_ID,
          attempt: 1,
          request: { title },
          title,
          status: 'PENDING' as const,
          requestedAt: new Date(now),
          deadline: new Date(now + 3_600_000 + i),
        };
      }),
    });
  });

  after(async () => {
    await db?.approvalRequest.deleteMany({ where: { id: { in: ids } } });
    await db?.$disconnect();
  });

  const titlesFound = async (search: string) =>
    (await listAdminQueue(db, { search })).rows.map((r) => r.title).filter((t) => t.includes(tag));

  test('"%" in the search matches only a "%" in the title, not any run of characters', async () => {
    assert.deepEqual(await titlesFound(`${tag} 50%`), [`Sale ${tag} 50%off`]);
    const { rows, total } = await listAdminQueue(db, { search: `${tag} 50%` });
    assert.equal(total, 1);
    assert.equal(rows.length, 1);
  });

  test('"_" in the search matches only a "_" in the title, not any one character', async () => {
    assert.deepEqual(await titlesFound(`${tag} 50_off`), [`Sale ${tag} 50_off`]);
    assert.equal((await listAdminQueue(db, { search: `${tag} 50_off` })).total, 1);
  });

  test('a search for "%" alone finds only requests that contain it', async () => {
    const { rows } = await listAdminQueue(db, { search: '%' });
    assert.ok(rows.some((r) => r.title === `Sale ${tag} 50%off`));
    for (const row of rows) {
      const found = await db.approvalRequest.findUniqueOrThrow({
        where: { id: row.id },
        select: { title: true, customer: true, workflowId: true },
      });
      assert.ok(`${found.title} ${found.customer ?? ''} ${found.workflowId}`.includes('%'), `${found.title} holds no "%"`);
    }
  });

  test('a plain search still finds by title, case aside, soonest deadline first, with the total', async () => {
    const { rows, total } = await listAdminQueue(db, { search: `SALE ${tag.toUpperCase()}` });
    assert.deepEqual(
      rows.map((r) => r.title),
      TITLES,
    );
    assert.equal(total, TITLES.length);
  });
});
