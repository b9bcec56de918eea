// The directory (lib/directory) against a real PostgreSQL: set-password links,
// deactivation and the claims it releases, the last admin, groups in use,
// delegation, what the approvals domain reads, and `npm run user --group`.
// It runs in a database of its own, migrated and empty, so "the last active
// admin" and "every active user" mean the people these tests made.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Prisma } from '@prisma/client';
import { loadActor } from '../../lib/approvals/policy/actor';
import { AccessError, type Role } from '../../lib/auth/access';
import { createUser, verifyCredentials } from '../../lib/auth/users';
import { APPROVAL_ACTIVITY_ID } from '../../lib/contract/approval';
import { createDb, type Db } from '../../lib/db';
import {
  addMember,
  changeRole,
  clearDelegation,
  createGroup,
  deactivateUser,
  deleteGroup,
  DirectoryError,
  hashToken,
  inspectPasswordLink,
  inviteUser,
  issuePasswordLink,
  LINK_TTL_MS,
  LinkRefused,
  listDirectoryEvents,
  loadDelegation,
  reactivateUser,
  removeMember,
  setDelegation,
  setPasswordWithLink,
  type Actor,
} from '../../lib/directory';
import { migrateDatabase } from '../../scripts/processes';
import { env, openDb, ROOT } from './helpers';

const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const DAY = 24 * 60 * 60 * 1000;

const newEmail = (label = 'person') => `${label}-${randomBytes(5).toString('hex')}@example.com`;
const newPassword = () => `pw-${randomUUID()}`;
const newGroupName = (label = 'team') => `${label}-${randomBytes(4).toString('hex')}`;

/** A DirectoryError with this code whose message matches. */
function refusal(code: DirectoryError['code'], message: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof DirectoryError, `expected a DirectoryError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  };
}

const forbidden = (error: unknown) => error instanceof AccessError && error.code === 'FORBIDDEN';

describe('the directory', { timeout: 180_000 }, () => {
  let server: Db;
  let db: Db;
  let databaseUrl: string;
  const name = `directory_${randomBytes(6).toString('hex')}`;

  before(async () => {
    server = await openDb();
    await server.$executeRawUnsafe(`CREATE DATABASE "${name}"`);
    const url = new URL(env.databaseUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    const migration: string[] = [];
    await migrateDatabase({ ...process.env, DATABASE_URL: databaseUrl }, (line) => migration.push(line)).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${migration.join('\n')}`);
    });
    db = createDb(databaseUrl);
  });

  after(async () => {
    await db?.$disconnect();
    await server?.$executeRawUnsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await server?.$disconnect();
  });

  async function person(role: Role, label: string = role.toLowerCase()): Promise<Actor & { password: string }> {
    const password = newPassword();
    const user = await createUser(db, { email: newEmail(label), password, role });
    return { ...user, password };
  }

  /** A request row written directly (the worker's write is not what is under test). */
  async function request(data: Partial<Prisma.ApprovalRequestUncheckedCreateInput> = {}) {
    const now = new Date();
    const title = data.title ?? `Directory test ${randomUUID()}`;
    return db.approvalRequest.create({
      data: {
        workflowId: `directory-${randomUUID()}`,
        runId: randomUUID(),
        activityId: APPROVAL_ACTIVITY_ID,
        attempt: 1,
        request: { title },
        title,
        requestedAt: now,
        deadline: new Date(now.getTime() + DAY),
        ...data,
      },
      select: { id: true, title: true },
    });
  }

  const eventsFor = (action: string, email: string) =>
    db.auditEvent.findMany({ where: { approvalRequestId: null, action, details: { path: ['email'], equals: email } } });

  describe('set-password links', () => {
    test('an invite creates a person with no password, who cannot sign in until they set one through the link, once', async () => {
      const admin = await person('ADMIN');
      const email = newEmail('invited');
      const invited = await inviteUser(db, admin, { email, name: 'Ivy Invited', role: 'REVIEWER' });
      assert.match(invited.token, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');

      const stored = await db.passwordToken.findMany({ where: { userId: invited.id } });
      assert.equal(stored.length, 1);
      assert.equal(stored[0]?.tokenHash, hashToken(invited.token), 'only the SHA-256 of the token is stored');
      assert.ok(!JSON.stringify(stored).includes(invited.token));
      assert.equal(Math.round(((stored[0]?.expiresAt.getTime() ?? 0) - Date.now()) / DAY), 7, 'good for 7 days');

      const password = newPassword();
      assert.equal(await verifyCredentials(db, email, password), null, 'no password yet: no sign-in');
      assert.deepEqual(await inspectPasswordLink(db, invited.token), {
        status: 'valid',
        email,
        name: 'Ivy Invited',
        invited: true,
        expiresAt: stored[0]?.expiresAt,
      });

      assert.deepEqual(await setPasswordWithLink(db, { token: invited.token, password, confirm: password }), { email });
      assert.equal((await verifyCredentials(db, email, password))?.email, email);

      const other = newPassword();
      await assert.rejects(setPasswordWithLink(db, { token: invited.token, password: other, confirm: other }), (error: unknown) => {
        assert.ok(error instanceof LinkRefused);
        assert.equal(error.status, 'used');
        assert.match(error.message, /This link has been used already/);
        return true;
      });
      assert.equal(await verifyCredentials(db, email, other), null, 'the second use changed nothing');
      assert.equal((await verifyCredentials(db, email, password))?.email, email);
      assert.equal((await inspectPasswordLink(db, invited.token)).status, 'used');

      const [invite] = await eventsFor('USER_INVITED', email);
      assert.equal(invite?.actor, admin.email);
      assert.equal(invite?.path, 'DASHBOARD');
      const [set] = await eventsFor('PASSWORD_SET', email);
      assert.equal(set?.actor, email);
      const trail = JSON.stringify(await db.auditEvent.findMany({ where: { approvalRequestId: null } }));
      for (const secret of [invited.token, hashToken(invited.token), password, other])
        assert.ok(!trail.includes(secret), 'no secret in the trail');
    });

    test('two sends of one link at once set the password once', async () => {
      const admin = await person('ADMIN');
      const email = newEmail('race');
      const { token } = await inviteUser(db, admin, { email, role: 'REVIEWER' });
      const [a, b] = [newPassword(), newPassword()];
      const results = await Promise.allSettled([
        setPasswordWithLink(db, { token, password: a, confirm: a }),
        setPasswordWithLink(db, { token, password: b, confirm: b }),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      const works = [await verifyCredentials(db, email, a), await verifyCredentials(db, email, b)].filter(Boolean);
      assert.equal(works.length, 1, 'exactly one of the passwords was stored');
      assert.equal((await eventsFor('PASSWORD_SET', email)).length, 1);
    });

    test('an expired link says so and changes nothing', async () => {
      const admin = await person('ADMIN');
      const email = newEmail('late');
      const { token } = await inviteUser(db, admin, { email, role: 'REVIEWER' }, new Date(Date.now() - LINK_TTL_MS - 60_000));
      assert.equal((await inspectPasswordLink(db, token)).status, 'expired');
      const password = newPassword();
      await assert.rejects(setPasswordWithLink(db, { token, password, confirm: password }), /This link has expired/);
      const user = await db.user.findUniqueOrThrow({ where: { email }, select: { passwordHash: true } });
      assert.equal(user.passwordHash, null);
      assert.equal((await db.passwordToken.findUniqueOrThrow({ where: { tokenHash: hashToken(token) } })).usedAt, null);
    });

    test('an unknown or malformed link says it is not valid', async () => {
      const password = newPassword();
      for (const token of [randomBytes(32).toString('base64url'), 'short', '../../etc/passwd']) {
        assert.equal((await inspectPasswordLink(db, token)).status, 'unknown');
        await assert.rejects(setPasswordWithLink(db, { token, password, confirm: password }), /This link is not valid/);
      }
    });

    test('a new link (a reset) stops the earlier unused one, and sets a new password for someone who had one', async () => {
      const admin = await person('ADMIN');
      const user = await person('REVIEWER');
      const first = await issuePasswordLink(db, admin, { userId: user.id });
      const second = await issuePasswordLink(db, admin, { userId: user.id });
      assert.equal((await inspectPasswordLink(db, first.token)).status, 'expired', 'replaced by the newer link');
      const password = newPassword();
      await assert.rejects(setPasswordWithLink(db, { token: first.token, password, confirm: password }), /a newer link replaced it/);
      assert.equal((await verifyCredentials(db, user.email, user.password))?.email, user.email, 'the old password still works');

      await setPasswordWithLink(db, { token: second.token, password, confirm: password });
      assert.equal(await verifyCredentials(db, user.email, user.password), null);
      assert.equal((await verifyCredentials(db, user.email, password))?.email, user.email);
      const issued = await eventsFor('LINK_ISSUED', user.email);
      assert.equal(issued.length, 2);
      assert.deepEqual(
        issued.map((e) => (e.details as { kind?: string }).kind),
        ['reset', 'reset'],
      );
    });

    test('only admins invite or issue links', async () => {
      const reviewer = await person('REVIEWER');
      await assert.rejects(inviteUser(db, reviewer, { email: newEmail(), role: 'REVIEWER' }), forbidden);
      await assert.rejects(issuePasswordLink(db, reviewer, { userId: reviewer.id }), forbidden);
    });

    test('an invite into an unknown group, or of an email in use, is refused and creates nothing', async () => {
      const admin = await person('ADMIN');
      const email = newEmail();
      const missing = newGroupName('nope');
      await assert.rejects(
        inviteUser(db, admin, { email, role: 'REVIEWER', groups: [missing] }),
        refusal('NOT_FOUND', new RegExp(missing)),
      );
      assert.equal(await db.user.count({ where: { email } }), 0);
      await assert.rejects(
        inviteUser(db, admin, { email: admin.email.toUpperCase(), role: 'REVIEWER' }),
        refusal('CONFLICT', /exists already/),
      );
    });
  });

  describe('deactivation', () => {
    test('ends sign-in, releases the pending requests the person held with an audit event each, and leaves closed ones', async () => {
      const admin = await person('ADMIN');
      const reviewer = await person('REVIEWER');
      const claimedAt = new Date();
      const held = [await request({ claimedBy: reviewer.email, claimedAt }), await request({ claimedBy: reviewer.email, claimedAt })];
      const closed = await request({ claimedBy: reviewer.email, claimedAt, status: 'APPROVED', decidedBy: reviewer.email });
      const others = await request({ claimedBy: admin.email, claimedAt });
      const { token } = await issuePasswordLink(db, admin, { userId: reviewer.id });

      const result = await deactivateUser(db, admin, { userId: reviewer.id });
      assert.deepEqual(
        { ...result, released: [...result.released].sort() },
        {
          email: reviewer.email,
          changed: true,
          released: held.map((r) => r.id).sort(),
        },
      );

      for (const row of held) {
        assert.deepEqual(
          await db.approvalRequest.findUniqueOrThrow({ where: { id: row.id }, select: { claimedBy: true, claimedAt: true } }),
          {
            claimedBy: null,
            claimedAt: null,
          },
        );
        const events = await db.auditEvent.findMany({ where: { approvalRequestId: row.id } });
        assert.deepEqual(
          events.map((e) => ({ actor: e.actor, action: e.action, path: e.path, details: e.details })),
          [{ actor: admin.email, action: 'RELEASED', path: 'DASHBOARD', details: { from: reviewer.email, reason: 'deactivated' } }],
        );
      }
      assert.equal(
        (await db.approvalRequest.findUniqueOrThrow({ where: { id: closed.id } })).claimedBy,
        reviewer.email,
        'closed: as it was',
      );
      assert.equal((await db.approvalRequest.findUniqueOrThrow({ where: { id: others.id } })).claimedBy, admin.email);

      assert.equal(await verifyCredentials(db, reviewer.email, reviewer.password), null, 'a deactivated person cannot sign in');
      assert.equal((await inspectPasswordLink(db, token)).status, 'unknown', 'their link stops working');
      assert.equal((await loadActor(db, reviewer.email))?.active, false);
      const [event] = await eventsFor('USER_DEACTIVATED', reviewer.email);
      assert.deepEqual(
        { actor: event?.actor, details: event?.details },
        {
          actor: admin.email,
          details: { email: reviewer.email, releasedClaims: 2 },
        },
      );

      assert.deepEqual(await deactivateUser(db, admin, { userId: reviewer.id }), { email: reviewer.email, changed: false, released: [] });
      assert.deepEqual(await reactivateUser(db, admin, { userId: reviewer.id }), { email: reviewer.email, changed: true });
      assert.equal((await verifyCredentials(db, reviewer.email, reviewer.password))?.email, reviewer.email, 'reactivated: signs in again');
      assert.equal((await eventsFor('USER_REACTIVATED', reviewer.email)).length, 1);
    });

    test('an admin cannot deactivate or demote themselves', async () => {
      const admin = await person('ADMIN');
      await person('ADMIN'); // not the last admin: the refusal is about themselves
      await assert.rejects(deactivateUser(db, admin, { userId: admin.id }), refusal('CONFLICT', /You cannot deactivate yourself/));
      await assert.rejects(
        changeRole(db, admin, { userId: admin.id, role: 'REVIEWER' }),
        refusal('CONFLICT', /You cannot change your own role/),
      );
      assert.deepEqual(await db.user.findUniqueOrThrow({ where: { id: admin.id }, select: { role: true, active: true } }), {
        role: 'ADMIN',
        active: true,
      });
    });

    test('only admins change roles or deactivate', async () => {
      const reviewer = await person('REVIEWER');
      const other = await person('REVIEWER');
      await assert.rejects(changeRole(db, reviewer, { userId: other.id, role: 'ADMIN' }), forbidden);
      await assert.rejects(deactivateUser(db, reviewer, { userId: other.id }), forbidden);
      await assert.rejects(reactivateUser(db, reviewer, { userId: other.id }), forbidden);
    });
  });

  describe('the last active admin', () => {
    /** Leaves `keep` as the only active admins: every other admin is deactivated (directly: this file's database is its own). */
    async function onlyAdmins(...keep: Actor[]) {
      await db.user.updateMany({ where: { role: 'ADMIN', id: { notIn: keep.map((a) => a.id) } }, data: { active: false } });
    }

    test('cannot be demoted or deactivated, by any admin, however the clicks interleave', async () => {
      const [a, b] = [await person('ADMIN'), await person('ADMIN')];
      await onlyAdmins(a, b);
      // Each demotes the other at once: the row locks serialise them, and the second is refused.
      const both = await Promise.allSettled([
        changeRole(db, a, { userId: b.id, role: 'REVIEWER' }),
        changeRole(db, b, { userId: a.id, role: 'REVIEWER' }),
      ]);
      assert.deepEqual(both.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      const refused = both.find((r) => r.status === 'rejected');
      assert.match(
        String(refused?.status === 'rejected' ? (refused.reason as Error).message : ''),
        /is the last active admin and cannot be demoted/,
      );
      assert.equal(await db.user.count({ where: { role: 'ADMIN', active: true } }), 1);

      const [last] = await db.user.findMany({ where: { role: 'ADMIN', active: true }, select: { id: true, email: true } });
      assert.ok(last);
      const demoted = last.id === a.id ? b : a;
      // The demoted one is a reviewer now: refused as not an admin at all.
      await assert.rejects(deactivateUser(db, { ...demoted, role: 'REVIEWER' }, { userId: last.id }), forbidden);
      // A stale session that still says admin is refused by the rule itself.
      await assert.rejects(
        deactivateUser(db, demoted, { userId: last.id }),
        refusal('CONFLICT', /last active admin and cannot be deactivated/),
      );
      await assert.rejects(
        changeRole(db, demoted, { userId: last.id, role: 'REVIEWER' }),
        refusal('CONFLICT', /last active admin and cannot be demoted/),
      );
      assert.equal(await db.user.count({ where: { role: 'ADMIN', active: true } }), 1);
    });

    test('with two active admins, one may demote the other; a deactivated admin does not count', async () => {
      const [a, b, c] = [await person('ADMIN'), await person('ADMIN'), await person('ADMIN')];
      await onlyAdmins(a, b, c);
      assert.deepEqual(await deactivateUser(db, a, { userId: c.id }), { email: c.email, changed: true, released: [] });
      assert.deepEqual(await changeRole(db, a, { userId: b.id, role: 'REVIEWER' }), { email: b.email, role: 'REVIEWER', changed: true });
      const [event] = await eventsFor('ROLE_CHANGED', b.email);
      assert.deepEqual(event?.details, { email: b.email, from: 'ADMIN', to: 'REVIEWER' });
      // c is deactivated, so a is the last: c's own (stale) session cannot deactivate a.
      await assert.rejects(deactivateUser(db, c, { userId: a.id }), refusal('CONFLICT', /last active admin/));
    });
  });

  describe('groups', () => {
    test('names are lowercase slugs, and unique', async () => {
      const admin = await person('ADMIN');
      for (const bad of ['Finance', '-ops', 'a b', 'x'.repeat(64), '']) {
        await assert.rejects(createGroup(db, admin, { name: bad }), /group name/);
      }
      const name = newGroupName();
      assert.equal((await createGroup(db, admin, { name, description: 'Pays the bills' })).name, name);
      await assert.rejects(createGroup(db, admin, { name }), refusal('CONFLICT', /exists already/));
      const [event] = await db.auditEvent.findMany({ where: { action: 'GROUP_CREATED', details: { path: ['group'], equals: name } } });
      assert.deepEqual(
        { actor: event?.actor, details: event?.details },
        { actor: admin.email, details: { group: name, description: 'Pays the bills' } },
      );
      await assert.rejects(createGroup(db, await person('REVIEWER'), { name: newGroupName() }), forbidden);
    });

    test('members are added and removed, each with an audit event; a deactivated person is not added', async () => {
      const admin = await person('ADMIN');
      const reviewer = await person('REVIEWER');
      const { name } = await createGroup(db, admin, { name: newGroupName() });
      assert.deepEqual(await addMember(db, admin, { group: name, email: reviewer.email.toUpperCase() }), { changed: true });
      assert.deepEqual(await addMember(db, admin, { group: name, email: reviewer.email }), { changed: false });
      assert.deepEqual((await loadActor(db, reviewer.email))?.groups, [name]);
      assert.deepEqual(await removeMember(db, admin, { group: name, email: reviewer.email }), { changed: true });
      assert.deepEqual(await removeMember(db, admin, { group: name, email: reviewer.email }), { changed: false });
      assert.deepEqual((await loadActor(db, reviewer.email))?.groups, []);
      const events = await db.auditEvent.findMany({
        where: { action: { in: ['MEMBER_ADDED', 'MEMBER_REMOVED'] }, details: { path: ['group'], equals: name } },
      });
      assert.deepEqual(events.map((e) => e.action).sort(), ['MEMBER_ADDED', 'MEMBER_REMOVED']);

      const gone = await person('REVIEWER');
      await deactivateUser(db, admin, { userId: gone.id });
      await assert.rejects(addMember(db, admin, { group: name, email: gone.email }), refusal('CONFLICT', /is deactivated/));
      await assert.rejects(addMember(db, admin, { group: newGroupName('none'), email: reviewer.email }), refusal('NOT_FOUND', /No group/));
    });

    test('a group named by a policy or a pending request is not deleted, and the refusal names them', async () => {
      const admin = await person('ADMIN');
      const reviewer = await person('REVIEWER');
      const { name } = await createGroup(db, admin, { name: newGroupName('used') });
      await addMember(db, admin, { group: name, email: reviewer.email });
      const policy = await db.policy.create({ data: { name: `policy-${randomUUID()}`, approverGroups: [name] } });
      const escalating = await db.policy.create({ data: { name: `policy-${randomUUID()}`, escalateGroups: [name] } });
      const pending = await request({ escalateGroups: [name] });

      await assert.rejects(deleteGroup(db, admin, { group: name }), (error: unknown) => {
        refusal('CONFLICT', new RegExp(`${name} cannot be deleted`))(error);
        const message = (error as Error).message;
        for (const named of [policy.name, escalating.name, pending.title]) assert.ok(message.includes(named), `names ${named}: ${message}`);
        return true;
      });
      await db.policy.deleteMany({ where: { id: { in: [policy.id, escalating.id] } } });
      await assert.rejects(deleteGroup(db, admin, { group: name }), refusal('CONFLICT', /the pending request/));
      assert.equal(await db.group.count({ where: { name } }), 1);

      await db.approvalRequest.update({ where: { id: pending.id }, data: { status: 'APPROVED' } });
      assert.deepEqual(await deleteGroup(db, admin, { group: name }), { name, members: 1 });
      assert.equal(await db.group.count({ where: { name } }), 0);
      assert.deepEqual((await loadActor(db, reviewer.email))?.groups, [], 'the memberships went with it');
      const [event] = await db.auditEvent.findMany({ where: { action: 'GROUP_DELETED', details: { path: ['group'], equals: name } } });
      assert.equal(event?.actor, admin.email);
    });
  });

  describe('delegation', () => {
    const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

    test('is set to another active person until a future time, at most a year ahead', async () => {
      const [me, you] = [await person('REVIEWER'), await person('REVIEWER')];
      await assert.rejects(setDelegation(db, me, { awayUntil: inDays(-1), delegate: you.email }), refusal('INVALID', /in the future/));
      await assert.rejects(setDelegation(db, me, { awayUntil: inDays(367), delegate: you.email }), refusal('INVALID', /at most a year/));
      await assert.rejects(setDelegation(db, me, { awayUntil: inDays(1), delegate: me.email }), refusal('INVALID', /yourself/));
      await assert.rejects(setDelegation(db, me, { awayUntil: 'tomorrow', delegate: you.email }), /datetime|date and time/i);
      await assert.rejects(
        setDelegation(db, me, { awayUntil: inDays(1), delegate: newEmail() }),
        refusal('NOT_FOUND', /Nobody has the email/),
      );

      // Given with the browser's offset: the same instant.
      const back = new Date(Date.now() + 2 * DAY);
      back.setUTCMilliseconds(0);
      const withOffset = new Date(back.getTime() + 2 * 3600_000).toISOString().replace('Z', '+02:00');
      const set = await setDelegation(db, me, { awayUntil: withOffset, delegate: you.email.toUpperCase() });
      assert.deepEqual(set, { delegate: you.email, awayUntil: back });

      const view = await loadDelegation(db, you);
      assert.deepEqual(
        view.delegators.map((d) => d.email),
        [me.email],
      );
      assert.equal((await loadDelegation(db, me)).current?.delegate, you.email);
      const [event] = await db.auditEvent.findMany({ where: { action: 'DELEGATION_SET', actor: me.email } });
      assert.deepEqual(event?.details, { delegate: you.email, awayUntil: back.toISOString() });

      assert.deepEqual(await clearDelegation(db, me), { changed: true, delegate: you.email });
      assert.deepEqual(await clearDelegation(db, me), { changed: false, delegate: null });
      assert.equal((await loadDelegation(db, me)).current, null);
      assert.deepEqual((await loadDelegation(db, you)).delegators, []);
      assert.equal((await db.auditEvent.findMany({ where: { action: 'DELEGATION_CLEARED', actor: me.email } })).length, 1);
    });

    test('refuses a deactivated delegate, and any loop back to oneself', async () => {
      const admin = await person('ADMIN');
      const [a, b, c, gone] = [await person('REVIEWER'), await person('REVIEWER'), await person('REVIEWER'), await person('REVIEWER')];
      await deactivateUser(db, admin, { userId: gone.id });
      await assert.rejects(setDelegation(db, a, { awayUntil: inDays(1), delegate: gone.email }), refusal('CONFLICT', /is deactivated/));

      await setDelegation(db, a, { awayUntil: inDays(3), delegate: b.email });
      await assert.rejects(setDelegation(db, b, { awayUntil: inDays(2), delegate: a.email }), refusal('CONFLICT', /come to you/));
      await setDelegation(db, b, { awayUntil: inDays(2), delegate: c.email });
      await assert.rejects(setDelegation(db, c, { awayUntil: inDays(2), delegate: a.email }), refusal('CONFLICT', /come to you/));

      // A delegation that has ended is no loop.
      await db.user.update({ where: { id: a.id }, data: { awayUntil: new Date(Date.now() - 60_000) } });
      assert.equal((await setDelegation(db, c, { awayUntil: inDays(2), delegate: a.email })).delegate, a.email);
    });

    test('two people delegating to each other at once: one of them is refused', async () => {
      const [a, b] = [await person('REVIEWER'), await person('REVIEWER')];
      const results = await Promise.allSettled([
        setDelegation(db, a, { awayUntil: inDays(1), delegate: b.email }),
        setDelegation(db, b, { awayUntil: inDays(1), delegate: a.email }),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    });
  });

  describe('what the approvals domain reads', () => {
    test('loadActor: groups, and the active people delegating now with their groups', async () => {
      const admin = await person('ADMIN');
      const [me, away, ended, gone] = [
        await person('REVIEWER'),
        await person('REVIEWER'),
        await person('REVIEWER'),
        await person('REVIEWER'),
      ];
      const [g1, g2] = [newGroupName('g'), newGroupName('g')];
      await createGroup(db, admin, { name: g1 });
      await createGroup(db, admin, { name: g2 });
      await addMember(db, admin, { group: g2, email: me.email });
      await addMember(db, admin, { group: g1, email: me.email });
      await addMember(db, admin, { group: g1, email: away.email });
      for (const who of [away, ended, gone])
        await setDelegation(db, who, { awayUntil: new Date(Date.now() + DAY).toISOString(), delegate: me.email });
      await db.user.update({ where: { id: ended.id }, data: { awayUntil: new Date(Date.now() - 1000) } });
      await deactivateUser(db, admin, { userId: gone.id });

      assert.deepEqual(await loadActor(db, me.email), {
        email: me.email,
        role: 'REVIEWER',
        active: true,
        groups: [g1, g2].sort(),
        delegators: [{ email: away.email, role: 'REVIEWER', active: true, groups: [g1] }],
      });
      assert.equal(await loadActor(db, newEmail()), null);
    });
  });

  describe('npm run user --group', () => {
    async function runUser(args: string[]) {
      const { COUNTERSIGN_PASSWORD: _inherited, ...inherited } = process.env;
      const child = spawn(TSX, ['scripts/user.ts', ...args], {
        cwd: ROOT,
        env: { ...inherited, DATABASE_URL: databaseUrl, COUNTERSIGN_PASSWORD: newPassword() },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 30_000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const [code] = (await once(child, 'close')) as [number | null];
      return { code, stdout, stderr };
    }

    test('creates the user in the named groups, with an audit event', async () => {
      const admin = await person('ADMIN');
      const [g1, g2] = [newGroupName('cli'), newGroupName('cli')];
      await createGroup(db, admin, { name: g1 });
      await createGroup(db, admin, { name: g2 });
      const email = newEmail('cli');
      const run = await runUser(['--email', email, '--role', 'reviewer', '--group', `${g1},${g2}`]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`Created reviewer ${email} in ${[g1, g2].sort().join(', ')}\\.`));
      assert.deepEqual((await loadActor(db, email))?.groups, [g1, g2].sort());
      const [event] = await eventsFor('USER_CREATED', email);
      assert.deepEqual({ actor: event?.actor, path: event?.path }, { actor: 'npm run user', path: 'EXTERNAL' });
    });

    test('refuses an unknown group: exit 2, names it, creates nothing', async () => {
      const admin = await person('ADMIN');
      const known = newGroupName('cli');
      await createGroup(db, admin, { name: known });
      const missing = newGroupName('missing');
      const email = newEmail('cli');
      const run = await runUser(['--email', email, '--role', 'reviewer', '--group', `${known},${missing}`]);
      assert.equal(run.code, 2, run.stdout);
      assert.match(run.stderr, new RegExp(`No group is called ${missing}`));
      assert.doesNotMatch(run.stderr, new RegExp(`called ${known}`));
      assert.equal(await db.user.count({ where: { email } }), 0);
    });

    test('refuses a group name that is not a slug: exit 2 with the usage', async () => {
      const email = newEmail('cli');
      const run = await runUser(['--email', email, '--role', 'reviewer', '--group', 'Not A Group']);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /--group "Not A Group": a group name is/);
      assert.match(run.stderr, /Usage: npm run user/);
      assert.equal(await db.user.count({ where: { email } }), 0);
    });
  });

  test('the recent changes list is for admins, newest first', async () => {
    const admin = await person('ADMIN');
    const name = newGroupName('recent');
    await createGroup(db, admin, { name });
    const [newest] = await listDirectoryEvents(db, admin, 50);
    assert.deepEqual(
      { action: newest?.action, actor: newest?.actor, details: newest?.details },
      {
        action: 'GROUP_CREATED',
        actor: admin.email,
        details: { group: name, description: null },
      },
    );
    await assert.rejects(listDirectoryEvents(db, await person('REVIEWER')), forbidden);
  });
});
