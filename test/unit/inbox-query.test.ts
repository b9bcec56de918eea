import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCursor, encodeCursor } from '../../lib/approvals/reads/inbox/cursor';
import { inboxHref, parseInboxQuery } from '../../lib/approvals/reads/inbox/params';
import { DEFAULT_INBOX_QUERY, type InboxCursor } from '../../lib/approvals/reads/inbox/query';
import { escapeLike } from '../../lib/approvals/reads/search';

const parse = (search: string) => parseInboxQuery(new URLSearchParams(search));
const ID = '3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

test('no params: pending requests for me, soonest deadline first, no filters', () => {
  const { query, issues } = parse('');
  assert.deepEqual(query, DEFAULT_INBOX_QUERY);
  assert.deepEqual(query, {
    scope: 'me',
    status: 'pending',
    waiting: false,
    mine: false,
    overdue: false,
    sort: 'deadline',
    dir: 'asc',
  });
  assert.deepEqual(issues, []);
});

test('each sort has its own default direction: deadline asc, age desc (oldest first), amount desc', () => {
  assert.equal(parse('sort=deadline').query.dir, 'asc');
  assert.equal(parse('sort=age').query.dir, 'desc');
  assert.equal(parse('sort=amount').query.dir, 'desc');
  assert.equal(parse('sort=amount&dir=asc').query.dir, 'asc');
  assert.equal(parse('sort=age&dir=').query.dir, 'desc');
});

test('every filter is read from the URL', () => {
  const { query, issues } = parse(
    'scope=all&status=all&waiting=1&group=finance&type=orderWorkflow&min=10&max=2,500.50&customer=%20Acme%20&mine=1&overdue=1&sort=amount&dir=asc&q=order-42',
  );
  assert.deepEqual(issues, []);
  assert.deepEqual(query, {
    scope: 'all',
    status: 'all',
    waiting: true,
    group: 'finance',
    type: 'orderWorkflow',
    min: '10',
    max: '2500.50',
    customer: 'Acme',
    mine: true,
    overdue: true,
    sort: 'amount',
    dir: 'asc',
    q: 'order-42',
  });
});

test('empty fields (a submitted form without JavaScript) mean the defaults', () => {
  const { query, issues } = parse('scope=me&q=&status=pending&group=&type=&customer=&min=&max=&sort=deadline&dir=');
  assert.deepEqual(issues, []);
  assert.deepEqual(query, DEFAULT_INBOX_QUERY);
  assert.deepEqual(parse('scope=&waiting=').query, DEFAULT_INBOX_QUERY);
  // A link saved before the scope existed opens the default view, for me.
  assert.deepEqual(parse('q=&status=pending&customer=&min=&max=&sort=deadline&dir=').query, DEFAULT_INBOX_QUERY);
});

test('scope: me or all, in any case; waiting takes 1 or 0 like the other flags', () => {
  assert.equal(parse('scope=ALL').query.scope, 'all');
  assert.equal(parse('scope=%20me%20').query.scope, 'me');
  for (const on of ['1', 'true', 'on']) assert.equal(parse(`waiting=${on}`).query.waiting, true, on);
  for (const off of ['0', 'false']) assert.equal(parse(`waiting=${off}`).query.waiting, false, off);
});

test('group is a group name (lower-cased); type is the workflow type as given', () => {
  const { query, issues } = parse('group=%20Finance%20&type=%20agentToolWorkflow%20');
  assert.deepEqual(issues, []);
  assert.equal(query.group, 'finance');
  assert.equal(query.type, 'agentToolWorkflow');
});

test('bad scope, waiting, group or type values are reported, and only those fall back to their defaults', () => {
  const { query, issues } = parse(`scope=everyone&waiting=maybe&group=${encodeURIComponent('fin ance;--')}&type=${'t'.repeat(201)}&mine=1`);
  assert.deepEqual(issues.map((i) => i.param).sort(), ['group', 'scope', 'type', 'waiting']);
  assert.equal(query.scope, 'me');
  assert.equal(query.waiting, false);
  assert.equal(query.group, undefined);
  assert.equal(query.type, undefined);
  assert.equal(query.mine, true, 'the good one stands');
  assert.match(issues.find((i) => i.param === 'scope')?.message ?? '', /me or all/);
  assert.match(issues.find((i) => i.param === 'group')?.message ?? '', /group name/);
  assert.match(issues.find((i) => i.param === 'type')?.message ?? '', /at most 200 characters/);
  for (const bad of ['-finance', 'a'.repeat(64), 'fin_ance', 'finance/ops']) {
    assert.deepEqual(
      parse(`group=${encodeURIComponent(bad)}`).issues.map((i) => i.param),
      ['group'],
      bad,
    );
  }
});

test('status and sort are case-insensitive; unknown params are ignored', () => {
  const { query, issues } = parse('status=APPROVED&sort=Amount&callbackUrl=%2Fx&page=3');
  assert.deepEqual(issues, []);
  assert.equal(query.status, 'approved');
  assert.equal(query.sort, 'amount');
});

test('a bad value is reported and only that field falls back to its default', () => {
  const { query, issues } = parse('status=open&min=abc&customer=Acme&sort=size&dir=up&mine=yes&overdue=1');
  assert.deepEqual(issues.map((i) => i.param).sort(), ['dir', 'min', 'mine', 'sort', 'status']);
  assert.equal(query.status, 'pending');
  assert.equal(query.min, undefined);
  assert.equal(query.sort, 'deadline');
  assert.equal(query.dir, 'asc');
  assert.equal(query.mine, false);
  // The good ones stand.
  assert.equal(query.customer, 'Acme');
  assert.equal(query.overdue, true);
  const status = issues.find((i) => i.param === 'status');
  assert.match(status?.message ?? '', /pending, approved, rejected, expired, cancelled, terminated, all/);
  assert.match(issues.find((i) => i.param === 'min')?.message ?? '', /must be a number/);
});

test('amounts: negative, too precise and too large are rejected; a maximum below the minimum is dropped', () => {
  for (const bad of ['-5', '1.234', '1e5', '12345678901234567', 'NaN']) {
    const { query, issues } = parse(`min=${encodeURIComponent(bad)}`);
    assert.equal(query.min, undefined, bad);
    assert.deepEqual(
      issues.map((i) => i.param),
      ['min'],
      bad,
    );
  }
  const { query, issues } = parse('min=500&max=100');
  assert.equal(query.min, '500');
  assert.equal(query.max, undefined);
  assert.deepEqual(
    issues.map((i) => i.param),
    ['max'],
  );
  assert.match(issues[0]?.message ?? '', /below the minimum/);
});

test('over-long text is reported, not truncated silently', () => {
  const { query, issues } = parse(`q=${'x'.repeat(201)}`);
  assert.equal(query.q, undefined);
  assert.deepEqual(
    issues.map((i) => i.param),
    ['q'],
  );
});

test('a repeated param takes its first value', () => {
  assert.equal(parseInboxQuery({ status: ['approved', 'rejected'] }).query.status, 'approved');
});

test('a cursor survives the round trip through a URL', () => {
  const cursors: InboxCursor[] = [
    { sort: 'deadline', key: '2026-11-28T21:37:37.917Z', id: ID },
    { sort: 'age', key: '2026-01-02T03:04:05.006Z', id: ID },
    { sort: 'amount', key: '1234.50', id: ID },
    { sort: 'amount', key: null, id: ID },
  ];
  for (const cursor of cursors) {
    const token = encodeCursor(cursor);
    assert.match(token, /^[A-Za-z0-9_-]+$/, 'base64url, nothing to escape in a URL');
    assert.deepEqual(decodeCursor(token), cursor);
    const { query, issues } = parse(`sort=${cursor.sort}&after=${token}`);
    assert.deepEqual(issues, []);
    assert.deepEqual(query.after, cursor);
  }
});

test('a tampered cursor is rejected with a clear message and the first page is shown', () => {
  const token = encodeCursor({ sort: 'deadline', key: '2026-11-28T21:37:37.917Z', id: ID });
  const body = JSON.parse(Buffer.from(token, 'base64url').toString()) as Record<string, unknown>;
  const reencode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const tampered = [
    'not-a-cursor',
    token.slice(0, -3),
    `${token}x`,
    '%%%',
    reencode({ ...body, k: '2026-11-28T21:37:37.918Z' }), // moved, checksum no longer matches
    reencode({ ...body, i: 'f'.repeat(36) }),
    reencode({ ...body, k: "'; DROP TABLE approval_requests; --" }),
    reencode({ ...body, extra: 1 }),
    reencode([1, 2, 3]),
    Buffer.from('{"s":').toString('base64url'),
  ];
  for (const bad of tampered) {
    assert.equal(decodeCursor(bad), null, bad);
    const { query, issues } = parse(`after=${encodeURIComponent(bad)}`);
    assert.equal(query.after, undefined);
    assert.deepEqual(
      issues.map((i) => i.param),
      ['after'],
    );
    assert.match(issues[0]?.message ?? '', /damaged or was edited/);
  }
  // Flipping any one character of a real cursor is caught.
  for (let i = 0; i < token.length; i++) {
    const flipped = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
    const decoded = decodeCursor(flipped);
    assert.ok(decoded === null || JSON.stringify(decoded) === JSON.stringify(decodeCursor(token)), `position ${i}`);
  }
});

test('a cursor from another sort, or both directions at once, is ignored with a message', () => {
  const deadline = encodeCursor({ sort: 'deadline', key: '2026-11-28T21:37:37.917Z', id: ID });
  const other = parse(`sort=amount&after=${deadline}`);
  assert.equal(other.query.after, undefined);
  assert.match(other.issues[0]?.message ?? '', /another sort order/);

  const both = parse(`after=${deadline}&before=${deadline}`);
  assert.ok(both.query.after);
  assert.equal(both.query.before, undefined);
  assert.deepEqual(
    both.issues.map((i) => i.param),
    ['before'],
  );
});

test('links leave defaults out and keep every filter', () => {
  assert.equal(inboxHref(DEFAULT_INBOX_QUERY), '/inbox');
  const { query } = parse(
    'status=all&customer=A%26B&min=5&mine=1&sort=age&dir=desc&q=50%25_off&scope=all&waiting=1&group=ops&type=a%20b%26c',
  );
  const href = inboxHref(query, { after: 'abc' });
  const params = new URL(href, 'http://x').searchParams;
  assert.deepEqual(Object.fromEntries(params), {
    q: '50%_off',
    scope: 'all',
    status: 'all',
    waiting: '1',
    group: 'ops',
    type: 'a b&c',
    customer: 'A&B',
    min: '5',
    mine: '1',
    sort: 'age',
    after: 'abc',
  });
  // And reading a link back gives the same query.
  const again = parseInboxQuery(new URL(inboxHref(query), 'http://x').searchParams);
  assert.deepEqual(again.query, query);
});

test('LIKE metacharacters are escaped, so % and _ match themselves', () => {
  assert.equal(escapeLike('50%_off\\now'), '50\\%\\_off\\\\now');
  assert.equal(escapeLike('plain'), 'plain');
});
