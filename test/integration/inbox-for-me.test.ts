// The inbox "for me" against the real database: who sees which request by
// its routing (any reviewer, groups, people, escalation from window 2, a
// colleague away who delegates, four eyes), "waiting on me", the group and
// type filters, the "can't reach quorum" flag; and eligibleSql agreeing with
// eligibilityOf (lib/approvals/policy) on a table of cases.
//
// Rows are inserted directly, each title carrying this file's tag, and every
// query searches for the tag: the database is shared with other tests. Pending
// rows belong to a real, running workflow on a task queue no worker polls: a
// reconciler sweeping the shared database closes a pending row whose workflow
// Temporal does not know.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Prisma } from '@prisma/client';
import type { Client } from '@temporalio/client';
import { loadActor } from '../../lib/approvals/policy/actor';
import { eligibilityOf, type Actor, type Person, type RoutedRequest } from '../../lib/approvals/policy/eligibility';
import { eligibleSql, votedSql } from '../../lib/approvals/policy/eligible-sql';
import { listInbox } from '../../lib/approvals/reads/inbox/list';
import { parseInboxQuery } from '../../lib/approvals/reads/inbox/params';
import type { InboxPage, InboxViewRow } from '../../lib/approvals/reads/inbox/query';
import type { Db } from '../../lib/db';
import { connectTemporal } from '../../lib/temporal';
import type { orderWorkflow } from '../../worker/workflows';
import { env, NAMESPACE, openDb } from './helpers';

const tag = `fme${randomBytes(5).toString('hex')}`;
const NOW = new Date();
const HOUR = 3_600_000;
const email = (who: string) => `${who}-${tag}@example.com`;
const group = (name: string) => `${name}-${tag}`;

const ME = email('me');
const OTHER = email('other');
/** Away until tomorrow, and delegates to ME. */
const AWAY = email('away');
/** Was away (until yesterday), and still names ME as delegate: no longer delegating. */
const BACK = email('back');
const MINE = group('mine');
const THEIRS = group('theirs');
const LATER = group('later');
const AWAYS = group('aways');
const BACKS = group('backs');
const SMALL = group('small');
const TYPE = `typeWorkflow${tag}`;

let db: Db;
let temporal: Client;
const WORKFLOW_ID = `for-me-${tag}`;
let runId = '';
const userIds = new Map<string, string>();
const groupIds = new Map<string, string>();
/** Title → row id. */
const rowIds = new Map<string, string>();

interface Routing {
  approverGroups?: string[];
  approverUsers?: string[];
  escalateGroups?: string[];
  escalateUsers?: string[];
  attempt?: number;
  requester?: string | null;
  fourEyes?: boolean;
  quorum?: number;
  approvals?: number;
  workflowType?: string | null;
  status?: 'PENDING' | 'APPROVED';
}

const rowData = (title: string, r: Routing, i: number): Prisma.ApprovalRequestCreateManyInput => ({
  id: randomUUID(),
  workflowId: WORKFLOW_ID,
  runId,
  activityId: `approval-${i}`,
  attempt: r.attempt ?? 1,
  request: { title },
  title: `${title} ${tag}`,
  status: r.status ?? 'PENDING',
  requestedAt: new Date(NOW.getTime() - HOUR),
  deadline: new Date(NOW.getTime() + HOUR + i * 1000),
  decidedBy: r.status === 'APPROVED' ? 'someone' : null,
  decidedAt: r.status === 'APPROVED' ? NOW : null,
  workflowType: r.workflowType === undefined ? 'orderWorkflow' : r.workflowType,
  requester: r.requester ?? null,
  fourEyes: r.fourEyes ?? true,
  quorum: r.quorum ?? 1,
  approvals: r.approvals ?? 0,
  approverGroups: r.approverGroups ?? [],
  approverUsers: r.approverUsers ?? [],
  escalateGroups: r.escalateGroups ?? [],
  escalateUsers: r.escalateUsers ?? [],
});

/** The inbox's rows, by name. */
const ROWS: Record<string, Routing> = {
  'any reviewer': {},
  'to my group': { approverGroups: [MINE] },
  'to my email': { approverUsers: [ME] },
  'to their group': { approverGroups: [THEIRS] },
  'to their email': { approverUsers: [OTHER] },
  'escalates to my group, window 1': { approverGroups: [THEIRS], escalateGroups: [LATER] },
  'escalates to my group, window 2': { approverGroups: [THEIRS], escalateGroups: [LATER], attempt: 2 },
  'escalates to me, window 2': { approverUsers: [OTHER], escalateUsers: [ME], attempt: 2 },
  'to an away colleague who delegates to me': { approverGroups: [AWAYS], workflowType: TYPE },
  'to the away colleague, requested by them': { approverUsers: [AWAY], requester: AWAY, workflowType: TYPE },
  'to a colleague back from leave': { approverGroups: [BACKS] },
  'requested by me, four eyes': { requester: ME },
  'requested by me, no four eyes': { requester: ME, fourEyes: false, workflowType: null },
  'two approvals, one of them mine': { approverGroups: [MINE], quorum: 2, approvals: 1 },
  'two approvals, one mine for the away colleague': { approverGroups: [AWAYS], quorum: 2, approvals: 1 },
  'two approvals, one of someone else': { approverGroups: [MINE], quorum: 2, approvals: 1 },
  'two from a group of one': { approverGroups: [SMALL], quorum: 2 },
  'decided, two from a group of one': { approverGroups: [SMALL], quorum: 2, status: 'APPROVED' },
};

const FOR_ME = [
  'any reviewer',
  'to my group',
  'to my email',
  'escalates to my group, window 2',
  'escalates to me, window 2',
  'to an away colleague who delegates to me',
  'requested by me, no four eyes',
  'two approvals, one of them mine',
  'two approvals, one mine for the away colleague',
  'two approvals, one of someone else',
];

async function createUser(address: string, { groups = [], ...data }: { groups?: string[] } & Omit<Prisma.UserCreateInput, 'email'> = {}) {
  const user = await db.user.create({ data: { ...data, email: address }, select: { id: true } });
  userIds.set(address, user.id);
  for (const name of groups) await joinGroup(address, name);
}

async function joinGroup(address: string, name: string) {
  let groupId = groupIds.get(name);
  if (!groupId) {
    groupId = (await db.group.create({ data: { name }, select: { id: true } })).id;
    groupIds.set(name, groupId);
  }
  await db.groupMember.create({ data: { groupId, userId: userIds.get(address) ?? '' } });
}

async function vote(title: string, voter: string, actor: string) {
  const approvalRequestId = rowIds.get(title) ?? '';
  await db.approvalVote.create({ data: { approvalRequestId, runId, attempt: 1, voter, actor, path: 'DASHBOARD' } });
}

before(async () => {
  db = await openDb();
  temporal = await connectTemporal(env.temporalAddress, NAMESPACE);
  const handle = await temporal.workflow.start<typeof orderWorkflow>('orderWorkflow', {
    taskQueue: `inbox-for-me-idle-${tag}`,
    workflowId: WORKFLOW_ID,
    args: [{ id: WORKFLOW_ID, customer: 'placeholder', amount: 1, currency: 'USD', items: [{ sku: 'NONE', qty: 1 }] }],
    workflowExecutionTimeout: '10m',
  });
  runId = handle.firstExecutionRunId;

  await createUser(ME, { groups: [MINE, LATER] });
  await createUser(OTHER, { groups: [THEIRS, SMALL] });
  const meId = userIds.get(ME) ?? '';
  await createUser(AWAY, {
    groups: [AWAYS],
    awayUntil: new Date(NOW.getTime() + 24 * HOUR),
    delegate: { connect: { id: meId } },
  });
  await createUser(BACK, {
    groups: [BACKS],
    awayUntil: new Date(NOW.getTime() - 24 * HOUR),
    delegate: { connect: { id: meId } },
  });

  const data = Object.entries(ROWS).map(([title, routing], i) => rowData(title, routing, i));
  await db.approvalRequest.createMany({ data });
  for (const row of data) rowIds.set(row.title.replace(` ${tag}`, ''), row.id ?? '');
  await vote('two approvals, one of them mine', ME, ME);
  await vote('two approvals, one mine for the away colleague', AWAY, ME);
  await vote('two approvals, one of someone else', OTHER, OTHER);
});

after(async () => {
  const ids = [...rowIds.values()];
  await db.approvalVote.deleteMany({ where: { approvalRequestId: { in: ids } } });
  // Rows first: a reconciler would close pending rows of a terminated workflow.
  await db.approvalRequest.deleteMany({ where: { workflowId: WORKFLOW_ID } });
  await db.group.deleteMany({ where: { id: { in: [...groupIds.values()] } } });
  await db.user.deleteMany({ where: { id: { in: [...userIds.values()] } } });
  await temporal.workflow.getHandle(WORKFLOW_ID, runId).terminate('inbox-for-me test done');
  await temporal.connection.close();
  await db.$disconnect();
});

async function actorOf(address: string): Promise<Actor> {
  const actor = await loadActor(db, address, NOW);
  assert.ok(actor, address);
  return actor;
}

async function list(search: string, who = ME): Promise<InboxPage> {
  const parsed = parseInboxQuery(new URLSearchParams(`q=${tag}&${search}`));
  assert.deepEqual(parsed.issues, [], search);
  return listInbox(db, parsed.query, await actorOf(who), NOW);
}

const names = (page: InboxPage) => page.rows.map((r) => r.title.replace(` ${tag}`, '')).sort();
const sorted = (titles: string[]) => [...titles].sort();

function rowNamed(page: InboxPage, title: string): InboxViewRow {
  const row = page.rows.find((r) => r.title === `${title} ${tag}`);
  assert.ok(row, title);
  return row;
}

describe('the inbox for me', () => {
  test('loadActor finds my groups and the colleague away who delegates to me, not the one back from leave', async () => {
    const actor = await actorOf(ME);
    assert.deepEqual(actor.groups, sorted([MINE, LATER]));
    assert.deepEqual(
      actor.delegators.map((d) => ({ email: d.email, groups: d.groups })),
      [{ email: AWAY, groups: [AWAYS] }],
    );
  });

  test('by default: any reviewer, my group and my email, escalations from window 2, an away colleague’s; not mine under four eyes, not others’', async () => {
    const page = await list('');
    assert.deepEqual(names(page), sorted(FOR_ME));
    assert.equal(page.total, FOR_ME.length, 'the count reads the same conditions');
  });

  test('all: every request, whoever may decide it', async () => {
    const page = await list('scope=all');
    const pending = Object.entries(ROWS).filter(([, r]) => r.status !== 'APPROVED');
    assert.deepEqual(names(page), sorted(pending.map(([title]) => title)));
    assert.equal(page.total, pending.length);
  });

  test('someone else’s for-me list is theirs: my requests under four eyes show for them', async () => {
    assert.deepEqual(
      names(await list('', OTHER)),
      sorted([
        'any reviewer',
        'to their group',
        'to their email',
        'escalates to my group, window 1',
        'escalates to my group, window 2',
        'escalates to me, window 2',
        'requested by me, four eyes',
        'requested by me, no four eyes',
        'two from a group of one',
      ]),
    );
  });

  test('waiting on me: what I may decide and have not approved, as myself or for the colleague I stand in for', async () => {
    const page = await list('waiting=1');
    const expected = FOR_ME.filter(
      (t) => t !== 'two approvals, one of them mine' && t !== 'two approvals, one mine for the away colleague',
    );
    assert.deepEqual(names(page), sorted(expected));
    assert.equal(page.total, expected.length);
    // Waiting means pending, whatever the status filter and the scope say.
    assert.deepEqual(names(await list('waiting=1&status=all&scope=all')), sorted(expected));
    assert.equal((await list('waiting=1&status=approved')).total, 0);
  });

  test('group: requests routed to it, as approvers or as the people it escalates to', async () => {
    assert.deepEqual(names(await list(`group=${MINE}`)), [
      'to my group',
      'two approvals, one of someone else',
      'two approvals, one of them mine',
    ]);
    // Window 1 of an escalation is not for me yet, but it is routed to the group.
    assert.deepEqual(names(await list(`group=${LATER}&scope=all`)), ['escalates to my group, window 1', 'escalates to my group, window 2']);
    assert.deepEqual(names(await list(`group=${LATER}`)), ['escalates to my group, window 2']);
    // Routed to their group, and mine to decide through its escalation.
    assert.deepEqual(names(await list(`group=${THEIRS}`)), ['escalates to my group, window 2']);
    assert.equal((await list(`group=no-such-group-${tag}&scope=all`)).total, 0);
  });

  test('type: the workflow type that asked', async () => {
    assert.deepEqual(names(await list(`type=${TYPE}`)), ['to an away colleague who delegates to me']);
    assert.deepEqual(names(await list(`type=${TYPE}&scope=all`)), [
      'to an away colleague who delegates to me',
      'to the away colleague, requested by them',
    ]);
    assert.equal((await list(`type=${TYPE.toUpperCase()}`)).total, 0, 'exact, as Temporal names types');
  });

  test('filters combine with each other and with paging: the count agrees', async () => {
    const page = await list(`scope=all&group=${MINE}&waiting=1`);
    assert.deepEqual(names(page), ['to my group', 'two approvals, one of someone else']);
    assert.equal(page.total, 2);
    assert.equal(page.nextCursor, null);
  });

  test('the row says its type, requester, progress and escalation', async () => {
    const page = await list('scope=all&status=all');
    assert.deepEqual(
      (({ workflowType, requester, quorum, approvals, escalated }) => ({ workflowType, requester, quorum, approvals, escalated }))(
        rowNamed(page, 'two approvals, one of them mine'),
      ),
      { workflowType: 'orderWorkflow', requester: null, quorum: 2, approvals: 1, escalated: false },
    );
    assert.equal(rowNamed(page, 'requested by me, no four eyes').workflowType, null);
    assert.equal(rowNamed(page, 'requested by me, four eyes').requester, ME);
    assert.equal(rowNamed(page, 'escalates to my group, window 2').escalated, true);
    assert.equal(rowNamed(page, 'escalates to my group, window 1').escalated, false);
    assert.equal(rowNamed(page, 'escalates to me, window 2').escalated, true);
  });

  test('can’t reach quorum: fewer people who can still approve than the quorum, pending rows only; a member added counts at once', async () => {
    const flagged = async () => {
      const page = await list('scope=all&status=all');
      return sorted(page.rows.filter((r) => r.unreachable).map((r) => r.title.replace(` ${tag}`, '')));
    };
    const before = [
      // A group of one (OTHER), two approvals needed.
      'two from a group of one',
      // Only the requester may decide, under four eyes (and their delegate may not stand in for them).
      'to the away colleague, requested by them',
      // Groups of one whose member has approved already: nobody is left for the second approval.
      'two approvals, one mine for the away colleague',
      'two approvals, one of them mine',
    ];
    assert.deepEqual(await flagged(), sorted(before), 'the decided row with the same routing is not flagged');

    // A deactivated member does not count; an active one does, at once.
    const gone = email('gone');
    await createUser(gone, { active: false, groups: [SMALL] });
    assert.deepEqual(await flagged(), sorted(before));
    await joinGroup(ME, SMALL);
    try {
      assert.deepEqual(await flagged(), sorted(before.filter((t) => t !== 'two from a group of one')));
    } finally {
      await db.groupMember.delete({ where: { groupId_userId: { groupId: groupIds.get(SMALL) ?? '', userId: userIds.get(ME) ?? '' } } });
    }
    assert.deepEqual(await flagged(), sorted(before));
  });
});

// -----------------------------------------------------------------------------
// eligibleSql and eligibilityOf on the same cases: every routing × window ×
// requester × four eyes, for actors with and without groups and delegators.
// Closed rows (APPROVED): eligibility does not read the status, and no
// reconciler has anything to do with them.

describe('eligibleSql agrees with eligibilityOf', () => {
  const G = group('g');
  const D = group('d');
  const X = group('x');
  const me = email('case-me');
  const away = email('case-away');
  const other = email('case-other');
  const ids: string[] = [];
  const cases = new Map<string, RoutedRequest>();

  const ROUTINGS: Pick<RoutedRequest, 'approverGroups' | 'approverUsers' | 'escalateGroups' | 'escalateUsers'>[] = [
    { approverGroups: [], approverUsers: [], escalateGroups: [], escalateUsers: [] },
    { approverGroups: [G], approverUsers: [], escalateGroups: [], escalateUsers: [] },
    { approverGroups: [X], approverUsers: [], escalateGroups: [], escalateUsers: [] },
    { approverGroups: [], approverUsers: [me], escalateGroups: [], escalateUsers: [] },
    { approverGroups: [], approverUsers: [other], escalateGroups: [], escalateUsers: [] },
    { approverGroups: [X], approverUsers: [], escalateGroups: [G], escalateUsers: [] },
    { approverGroups: [X], approverUsers: [], escalateGroups: [], escalateUsers: [me] },
    { approverGroups: [D], approverUsers: [], escalateGroups: [], escalateUsers: [] },
    { approverGroups: [], approverUsers: [away], escalateGroups: [], escalateUsers: [] },
    { approverGroups: [X], approverUsers: [], escalateGroups: [D], escalateUsers: [] },
    { approverGroups: [G, X], approverUsers: [other], escalateGroups: [], escalateUsers: [away] },
  ];

  const person = (address: string, groups: string[], active = true): Person => ({ email: address, role: 'REVIEWER', active, groups });
  const ACTORS: [string, Actor][] = [
    ['in G', { ...person(me, [G]), delegators: [] }],
    ['in no group', { ...person(me, []), delegators: [] }],
    ['an admin in no group', { ...person(me, []), role: 'ADMIN', delegators: [] }],
    ['in G, standing in for someone in D', { ...person(me, [G]), delegators: [person(away, [D])] }],
    ['in no group, standing in for someone in D', { ...person(me, []), delegators: [person(away, [D])] }],
    ['in G, for someone deactivated', { ...person(me, [G]), delegators: [person(away, [D], false)] }],
    ['deactivated, in G', { ...person(me, [G], false), delegators: [person(away, [D])] }],
  ];

  before(async () => {
    const data: Prisma.ApprovalRequestCreateManyInput[] = [];
    let i = 0;
    for (const routing of ROUTINGS)
      for (const attempt of [1, 2])
        for (const requester of [null, me, away, other])
          for (const fourEyes of [true, false]) {
            const request: RoutedRequest = { ...routing, attempt, requester, fourEyes, quorum: 1, policyName: null };
            const row = rowData(`case ${i}`, { ...request, status: 'APPROVED' }, 1000 + i);
            row.workflowId = `${WORKFLOW_ID}-cases`;
            data.push(row);
            ids.push(row.id ?? '');
            cases.set(row.id ?? '', request);
            i++;
          }
    await db.approvalRequest.createMany({ data });
  });

  after(async () => {
    await db.approvalVote.deleteMany({ where: { approvalRequestId: { in: ids } } });
    await db.approvalRequest.deleteMany({ where: { id: { in: ids } } });
  });

  async function sqlAnswers(predicate: Prisma.Sql): Promise<Map<string, boolean>> {
    const rows = await db.$queryRaw<{ id: string; ok: boolean }[]>`
      SELECT r.id::text AS id, ${predicate} AS ok FROM approval_requests r WHERE r.id = ANY(CAST(${ids} AS uuid[]))`;
    assert.equal(rows.length, ids.length);
    return new Map(rows.map((r) => [r.id, r.ok]));
  }

  for (const [name, actor] of ACTORS) {
    test(`an actor ${name}: the same answer for each of the ${ROUTINGS.length * 16} cases`, async () => {
      const answers = await sqlAnswers(eligibleSql(actor));
      let eligible = 0;
      for (const [id, request] of cases) {
        const expected = eligibilityOf(request, actor, []).ok;
        assert.equal(answers.get(id), expected, `${JSON.stringify(request)}: SQL says ${answers.get(id)}, eligibilityOf says ${expected}`);
        if (expected) eligible++;
      }
      if (actor.active) assert.ok(eligible > 0 && eligible < cases.size, 'the table has cases both ways');
    });
  }

  test('with approvals: waiting on me (eligible, not voted) is false once I approved, as myself or for the colleague I stand in for', async () => {
    const actor = ACTORS.find(([name]) => name === 'in G, standing in for someone in D')?.[1];
    assert.ok(actor);
    const [mine, forAway, theirs] = [...cases].filter(
      ([, r]) => r.requester === null && r.approverGroups.length === 0 && r.approverUsers.length === 0,
    );
    assert.ok(mine && forAway && theirs);
    const votes = new Map<string, { voter: string; actor: string }[]>([
      [mine[0], [{ voter: me, actor: me }]],
      [forAway[0], [{ voter: away, actor: me }]],
      [theirs[0], [{ voter: other, actor: other }]],
    ]);
    for (const [id, list] of votes) {
      for (const v of list) await db.approvalVote.create({ data: { approvalRequestId: id, runId, attempt: 1, path: 'DASHBOARD', ...v } });
    }
    const answers = await sqlAnswers(Prisma.sql`(${eligibleSql(actor)} AND NOT ${votedSql(actor)})`);
    for (const [id, list] of votes) {
      const request = cases.get(id);
      assert.ok(request);
      assert.equal(answers.get(id), eligibilityOf(request, actor, list).ok, JSON.stringify(list));
    }
    assert.deepEqual(
      [mine, forAway, theirs].map(([id]) => answers.get(id)),
      [false, false, true],
    );
  });
});
