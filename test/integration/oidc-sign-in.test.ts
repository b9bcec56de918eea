// A company sign-in's effect on the directory (lib/directory/company-sign-in.ts)
// against a real PostgreSQL: the person found by email or created without a
// password, their role and managed memberships following the provider, the
// audit trail, a deactivated person refused, and two sign-ins at once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { OidcIdentity, OidcMapping } from '../../lib/auth/oidc-claims';
import { createUser } from '../../lib/auth/users';
import type { Db } from '../../lib/db';
import { COMPANY_SIGN_IN_ACTOR, syncCompanyUser } from '../../lib/directory/company-sign-in';
import { openDb } from './helpers';

let db: Db;
before(async () => {
  db = await openDb();
});
after(async () => {
  await db.$disconnect();
});

const tag = () => randomBytes(4).toString('hex');
const everyGroup: OidcMapping = { groupsClaim: 'groups', managedGroups: '*', adminGroups: null };

/** A fresh group, named label-<random>. */
async function newGroup(label: string): Promise<string> {
  const name = `${label}-${tag()}`;
  await db.group.create({ data: { name } });
  return name;
}

const identity = (email: string, groups: string[], extra: Partial<OidcIdentity> = {}): OidcIdentity => ({
  email,
  name: null,
  groups,
  role: null,
  ...extra,
});

async function groupsOf(email: string): Promise<string[]> {
  const rows = await db.groupMember.findMany({ where: { user: { email } }, select: { group: { select: { name: true } } } });
  return rows.map((row) => row.group.name).sort();
}

async function eventsAbout(email: string) {
  const rows = await db.auditEvent.findMany({
    where: { approvalRequestId: null, details: { path: ['email'], equals: email } },
    orderBy: [{ at: 'asc' }, { id: 'asc' }],
    select: { actor: true, action: true, path: true, details: true },
  });
  return rows;
}

describe('the first company sign-in', () => {
  test('creates the person without a password, in the Countersign groups the provider names, and audits it', async () => {
    const finance = await newGroup('finance');
    const email = `new-${tag()}@example.com`;
    const unknown = `everyone-${tag()}`;

    const outcome = await syncCompanyUser(db, identity(email, [finance, unknown], { name: 'Nia New' }), everyGroup);

    assert.ok(outcome.ok);
    assert.deepEqual({ ...outcome.user, id: typeof outcome.user.id }, { id: 'string', email, name: 'Nia New', role: 'REVIEWER' });
    const stored = await db.user.findUniqueOrThrow({ where: { email } });
    assert.deepEqual(
      { id: stored.id, passwordHash: stored.passwordHash, active: stored.active },
      { id: outcome.user.id, passwordHash: null, active: true },
    );
    assert.deepEqual(await groupsOf(email), [finance]);
    assert.equal(await db.group.count({ where: { name: unknown } }), 0, 'a provider group is never created');
    assert.deepEqual(await eventsAbout(email), [
      { actor: COMPANY_SIGN_IN_ACTOR, action: 'USER_CREATED', path: 'EXTERNAL', details: { email, role: 'REVIEWER', groups: [finance] } },
    ]);
  });

  test('makes an admin of a member of an admin group', async () => {
    const email = `boss-${tag()}@example.com`;
    const outcome = await syncCompanyUser(db, identity(email, ['admins'], { role: 'ADMIN' }), { ...everyGroup, adminGroups: ['admins'] });
    assert.ok(outcome.ok);
    assert.equal(outcome.user.role, 'ADMIN');
    assert.equal((await db.user.findUniqueOrThrow({ where: { email } })).role, 'ADMIN');
  });
});

describe('a later sign-in', () => {
  test('finds a person by email, keeps their password and name, and adds and removes managed memberships, each audited', async () => {
    const [finance, ops, legal] = [await newGroup('finance'), await newGroup('ops'), await newGroup('legal')];
    const email = `known-${tag()}@example.com`;
    const created = await createUser(db, { email, password: 'a-long-enough-password', role: 'REVIEWER', name: 'Kim Known' });
    const hash = (await db.user.findUniqueOrThrow({ where: { email } })).passwordHash;
    // In ops and legal by hand; the provider manages finance and ops only.
    for (const name of [ops, legal]) {
      await db.group.update({ where: { name }, data: { members: { create: { userId: created.id } } } });
    }

    const outcome = await syncCompanyUser(db, identity(email, [finance], { name: 'Provider Name' }), {
      ...everyGroup,
      managedGroups: [finance, ops],
    });

    assert.ok(outcome.ok);
    assert.deepEqual(outcome.user, { id: created.id, email, name: 'Kim Known', role: 'REVIEWER' });
    assert.deepEqual(await groupsOf(email), [finance, legal].sort(), 'in finance now, out of ops, legal untouched');
    const stored = await db.user.findUniqueOrThrow({ where: { email } });
    assert.equal(stored.passwordHash, hash);
    assert.equal(stored.name, 'Kim Known');
    const events = (await eventsAbout(email)).filter((event) => event.actor === COMPANY_SIGN_IN_ACTOR);
    assert.deepEqual(events, [
      { actor: COMPANY_SIGN_IN_ACTOR, action: 'MEMBER_ADDED', path: 'EXTERNAL', details: { group: finance, email } },
      { actor: COMPANY_SIGN_IN_ACTOR, action: 'MEMBER_REMOVED', path: 'EXTERNAL', details: { group: ops, email } },
    ]);
  });

  test('signing in again unchanged changes nothing and audits nothing', async () => {
    const finance = await newGroup('finance');
    const email = `same-${tag()}@example.com`;
    await syncCompanyUser(db, identity(email, [finance]), everyGroup);
    await syncCompanyUser(db, identity(email, [finance]), everyGroup);
    assert.deepEqual(await groupsOf(email), [finance]);
    assert.deepEqual(
      (await eventsAbout(email)).map((event) => event.action),
      ['USER_CREATED'],
    );
  });

  test('the role follows the admin groups both ways when the provider manages roles, and is kept when it does not', async () => {
    const email = `role-${tag()}@example.com`;
    const managed = { ...everyGroup, adminGroups: ['admins'] };
    await syncCompanyUser(db, identity(email, ['admins'], { role: 'ADMIN' }), managed);
    const demoted = await syncCompanyUser(db, identity(email, [], { role: 'REVIEWER' }), managed);
    assert.ok(demoted.ok);
    assert.equal(demoted.user.role, 'REVIEWER');

    await db.user.update({ where: { email }, data: { role: 'ADMIN' } });
    const kept = await syncCompanyUser(db, identity(email, [], { role: null }), everyGroup);
    assert.ok(kept.ok);
    assert.equal(kept.user.role, 'ADMIN');
    assert.deepEqual(
      (await eventsAbout(email)).filter((event) => event.action === 'ROLE_CHANGED').map((event) => event.details),
      [{ email, from: 'ADMIN', to: 'REVIEWER' }],
    );
  });
});

test('a deactivated person stays refused, and nothing about them changes', async () => {
  const finance = await newGroup('finance');
  const email = `gone-${tag()}@example.com`;
  await db.user.create({ data: { email, role: 'REVIEWER', active: false, deactivatedAt: new Date() } });

  const outcome = await syncCompanyUser(db, identity(email, [finance], { role: 'ADMIN' }), { ...everyGroup, adminGroups: ['admins'] });

  assert.deepEqual(outcome, { ok: false, refusal: 'AccountDeactivated' });
  const stored = await db.user.findUniqueOrThrow({ where: { email } });
  assert.deepEqual({ active: stored.active, role: stored.role }, { active: false, role: 'REVIEWER' });
  assert.deepEqual(await groupsOf(email), []);
  assert.deepEqual(await eventsAbout(email), []);
});

test('two first sign-ins of one person at once make one person, one membership each and one audit event', async () => {
  const [finance, ops] = [await newGroup('finance'), await newGroup('ops')];
  const email = `twice-${tag()}@example.com`;
  const both = await Promise.all([
    syncCompanyUser(db, identity(email, [finance, ops]), everyGroup),
    syncCompanyUser(db, identity(email, [finance, ops]), everyGroup),
  ]);
  assert.ok(both.every((outcome) => outcome.ok));
  assert.equal(await db.user.count({ where: { email } }), 1);
  assert.deepEqual(await groupsOf(email), [finance, ops].sort());
  assert.deepEqual(
    (await eventsAbout(email)).map((event) => event.action),
    ['USER_CREATED'],
  );
});
