// Company sign-in's pure rules: what the provider's claims say about a person,
// which Countersign memberships and role follow, the settings that turn it on,
// and the words a refused sign-in gets.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  claimedGroups,
  completeClaims,
  lacksClaims,
  planMemberships,
  readOidcIdentity,
  roleFromGroups,
  type OidcMapping,
} from '../../lib/auth/oidc-claims';
import { signInErrorMessage, signInErrorPath } from '../../lib/auth/sign-in-errors';
import { parseEnv } from '../../lib/env';

const mapping: OidcMapping = { groupsClaim: 'groups', managedGroups: '*', adminGroups: ['countersign-admins'] };
const COMPLETE = { OIDC_ISSUER: 'https://login.example.com/realms/acme', OIDC_CLIENT_ID: 'countersign', OIDC_CLIENT_SECRET: 's3cret' };

describe('the groups a claim names', () => {
  test('a list of strings, trimmed, lower-cased, without repeats, sorted', () => {
    assert.deepEqual(claimedGroups([' Finance', 'ops', 'finance', '']), ['finance', 'ops']);
  });

  test('one string is one group', () => {
    assert.deepEqual(claimedGroups('Finance'), ['finance']);
  });

  test('no claim, or anything but strings, names no group', () => {
    assert.deepEqual(claimedGroups(undefined), []);
    assert.deepEqual(claimedGroups({ finance: true }), []);
    assert.deepEqual(claimedGroups([1, null, 'ops']), ['ops']);
  });
});

describe('the role', () => {
  test('admin when in an admin group, reviewer otherwise', () => {
    assert.equal(roleFromGroups(['finance', 'countersign-admins'], ['countersign-admins']), 'ADMIN');
    assert.equal(roleFromGroups(['finance'], ['countersign-admins']), 'REVIEWER');
    assert.equal(roleFromGroups([], ['countersign-admins']), 'REVIEWER');
  });

  test('without admin groups the provider does not manage roles', () => {
    assert.equal(roleFromGroups(['countersign-admins'], null), null);
  });
});

describe('the person the claims describe', () => {
  test('email lower-cased, name, groups and role from the claims', () => {
    const read = readOidcIdentity(
      { sub: 'u1', email: 'Ann@Example.com', email_verified: true, name: 'Ann Example', groups: ['Finance', 'countersign-admins'] },
      mapping,
    );
    assert.deepEqual(read, {
      ok: true,
      identity: { email: 'ann@example.com', name: 'Ann Example', groups: ['countersign-admins', 'finance'], role: 'ADMIN' },
    });
  });

  test('the groups come from the configured claim', () => {
    const read = readOidcIdentity(
      { sub: 'u1', email: 'a@example.com', roles: ['ops'], groups: ['finance'] },
      { ...mapping, groupsClaim: 'roles' },
    );
    assert.ok(read.ok);
    assert.deepEqual(read.identity.groups, ['ops']);
  });

  test('the name falls back to given and family name, else none', () => {
    const joined = readOidcIdentity({ sub: 'u1', email: 'a@example.com', given_name: 'Ann', family_name: 'Example' }, mapping);
    assert.ok(joined.ok);
    assert.equal(joined.identity.name, 'Ann Example');
    const none = readOidcIdentity({ sub: 'u1', email: 'a@example.com' }, mapping);
    assert.ok(none.ok);
    assert.equal(none.identity.name, null);
  });

  test('an email the provider says is unverified is refused, whether it says so as a boolean or a string', () => {
    assert.deepEqual(readOidcIdentity({ sub: 'u1', email: 'a@example.com', email_verified: false }, mapping), {
      ok: false,
      refusal: 'EmailUnverified',
    });
    assert.deepEqual(readOidcIdentity({ sub: 'u1', email: 'a@example.com', email_verified: 'false' }, mapping), {
      ok: false,
      refusal: 'EmailUnverified',
    });
  });

  test('a provider that does not say whether the email is verified is trusted for it', () => {
    assert.equal(readOidcIdentity({ sub: 'u1', email: 'a@example.com' }, mapping).ok, true);
  });

  test('no email, or not an email, is refused', () => {
    assert.deepEqual(readOidcIdentity({ sub: 'u1' }, mapping), { ok: false, refusal: 'NoEmail' });
    assert.deepEqual(readOidcIdentity({ sub: 'u1', email: 'ann' }, mapping), { ok: false, refusal: 'NoEmail' });
  });
});

describe('claims from the ID token and userinfo', () => {
  test('userinfo is needed when the token lacks the email or the groups claim', () => {
    assert.equal(lacksClaims({ sub: 'u1', email: 'a@example.com', groups: [] }, mapping), false);
    assert.equal(lacksClaims({ sub: 'u1', groups: [] }, mapping), true);
    assert.equal(lacksClaims({ sub: 'u1', email: 'a@example.com' }, mapping), true);
    assert.equal(lacksClaims({ sub: 'u1', email: 'a@example.com', roles: [] }, { ...mapping, groupsClaim: 'roles' }), false);
  });

  test('userinfo fills what the token lacks; the signed token wins where both speak', () => {
    assert.deepEqual(completeClaims({ sub: 'u1', email: 'token@example.com' }, { sub: 'u1', email: 'info@example.com', groups: ['ops'] }), {
      sub: 'u1',
      email: 'token@example.com',
      groups: ['ops'],
    });
  });
});

describe('memberships', () => {
  test('every group managed: the person ends in exactly the Countersign groups the provider names', () => {
    assert.deepEqual(
      planMemberships({ current: ['ops', 'legal'], claimed: ['finance', 'ops'], existing: ['finance', 'ops'], managed: '*' }),
      {
        add: ['finance'],
        remove: ['legal'],
      },
    );
  });

  test('a provider group with no Countersign group of its name is ignored, never created', () => {
    assert.deepEqual(planMemberships({ current: [], claimed: ['finance', 'everyone'], existing: ['finance'], managed: '*' }), {
      add: ['finance'],
      remove: [],
    });
  });

  test('groups outside the managed set are left as they are, whatever the claim says', () => {
    assert.deepEqual(
      planMemberships({ current: ['legal', 'ops'], claimed: ['finance', 'hr'], existing: ['finance', 'hr'], managed: ['finance', 'ops'] }),
      { add: ['finance'], remove: ['ops'] },
    );
  });

  test('nothing changes when the person is already where the provider says', () => {
    assert.deepEqual(planMemberships({ current: ['finance'], claimed: ['finance'], existing: ['finance'], managed: '*' }), {
      add: [],
      remove: [],
    });
  });

  test('no groups at the provider: out of every managed group', () => {
    assert.deepEqual(planMemberships({ current: ['finance', 'ops'], claimed: [], existing: [], managed: ['finance'] }), {
      add: [],
      remove: ['finance'],
    });
  });
});

describe('settings', () => {
  const problems = (env: Record<string, string>) => {
    try {
      parseEnv('auth', env);
      return '';
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };

  test('without OIDC settings: password sign-in only', () => {
    const env = parseEnv('auth', {});
    assert.equal(env.passwordSignIn, true);
    assert.equal(env.oidc, null);
  });

  test('issuer, client id and secret turn company sign-in on, with the defaults', () => {
    assert.deepEqual(parseEnv('auth', COMPLETE).oidc, {
      issuer: COMPLETE.OIDC_ISSUER,
      clientId: 'countersign',
      clientSecret: 's3cret',
      name: 'your company account',
      scopes: 'openid email profile',
      mapping: { groupsClaim: 'groups', managedGroups: '*', adminGroups: null },
    });
  });

  test('the mapping settings: claim, managed groups and admin groups (matched lower-case)', () => {
    const env = parseEnv('auth', {
      ...COMPLETE,
      OIDC_GROUPS_CLAIM: 'roles',
      OIDC_GROUPS: 'finance, ops',
      OIDC_ADMIN_GROUPS: 'Countersign Admins,root',
      OIDC_NAME: 'Okta',
      OIDC_SCOPES: 'openid email profile groups',
    });
    assert.deepEqual(env.oidc?.mapping, {
      groupsClaim: 'roles',
      managedGroups: ['finance', 'ops'],
      adminGroups: ['countersign admins', 'root'],
    });
    assert.equal(env.oidc?.name, 'Okta');
    assert.equal(env.oidc?.scopes, 'openid email profile groups');
  });

  test('partial settings stop start-up, naming each missing one', () => {
    const message = problems({ OIDC_ISSUER: COMPLETE.OIDC_ISSUER, OIDC_CLIENT_SECRET: 's3cret' });
    assert.match(message, /OIDC_CLIENT_ID: is required for company sign-in \(OIDC_ISSUER, OIDC_CLIENT_SECRET are set\)/);
    assert.doesNotMatch(message, /OIDC_ISSUER:|OIDC_CLIENT_SECRET:/);
    assert.match(
      problems({ OIDC_ADMIN_GROUPS: 'admins' }),
      /OIDC_ISSUER: is required.*\n.*OIDC_CLIENT_ID: is required.*\n.*OIDC_CLIENT_SECRET: is required/,
    );
  });

  test('empty variables count as unset', () => {
    assert.equal(parseEnv('auth', { OIDC_ISSUER: '', OIDC_CLIENT_ID: '', OIDC_CLIENT_SECRET: '' }).oidc, null);
  });

  test('PASSWORD_SIGN_IN=off turns the password off, and only with company sign-in on', () => {
    assert.equal(parseEnv('auth', { ...COMPLETE, PASSWORD_SIGN_IN: 'off' }).passwordSignIn, false);
    assert.equal(parseEnv('auth', { ...COMPLETE, PASSWORD_SIGN_IN: 'on' }).passwordSignIn, true);
    assert.match(problems({ PASSWORD_SIGN_IN: 'off' }), /PASSWORD_SIGN_IN: can be off only with company sign-in/);
    assert.match(problems({ ...COMPLETE, PASSWORD_SIGN_IN: 'no' }), /PASSWORD_SIGN_IN: must be on or off/);
  });

  test('bad values are named: the issuer, the scopes, the managed groups', () => {
    assert.match(problems({ ...COMPLETE, OIDC_ISSUER: 'login.example.com' }), /OIDC_ISSUER: must be the provider’s issuer URL/);
    assert.match(problems({ ...COMPLETE, OIDC_SCOPES: 'email profile' }), /OIDC_SCOPES: must include openid/);
    assert.match(problems({ ...COMPLETE, OIDC_GROUPS: 'finance,Bad Name' }), /OIDC_GROUPS: "Bad Name" is not a Countersign group name/);
    assert.match(problems({ ...COMPLETE, OIDC_GROUPS: ' , ' }), /OIDC_GROUPS: must be \* \(every group\) or Countersign group names/);
  });

  test('in production the issuer must be https, except on loopback', () => {
    const production = { NODE_ENV: 'production', NEXTAUTH_SECRET: 'x'.repeat(32), NEXTAUTH_URL: 'https://countersign.example.com' };
    assert.match(
      problems({ ...production, ...COMPLETE, OIDC_ISSUER: 'http://login.example.com' }),
      /OIDC_ISSUER: must be an https:\/\/ URL in production/,
    );
    assert.equal(problems({ ...production, ...COMPLETE, OIDC_ISSUER: 'http://127.0.0.1:9000' }), '');
  });
});

describe('what a refused sign-in is told', () => {
  test('each refusal has its sentence, reached through the sign-in page', () => {
    assert.equal(signInErrorPath('EmailUnverified'), '/signin?error=EmailUnverified');
    assert.match(signInErrorMessage('EmailUnverified') ?? '', /email address is not verified/);
    assert.match(signInErrorMessage('AccountDeactivated') ?? '', /deactivated/);
    assert.match(signInErrorMessage('OAuthCallback') ?? '', /did not work/);
  });

  test('an unknown code gets a general sentence, never its own text; none gets none', () => {
    assert.equal(signInErrorMessage('<script>alert(1)</script>'), 'Sign-in did not work. Try again.');
    assert.equal(signInErrorMessage('toString'), 'Sign-in did not work. Try again.');
    assert.equal(signInErrorMessage(undefined), null);
  });
});
