// Company sign-in (OpenID Connect), the pure part: what the provider's claims
// say about a person (email, name, groups, role), and which Countersign group
// memberships follow from them. lib/directory/company-sign-in.ts applies it.
import { z } from 'zod';
import type { Role } from './access';

/** How the provider's groups map onto Countersign's (from OIDC_GROUPS_CLAIM, OIDC_GROUPS, OIDC_ADMIN_GROUPS). */
export interface OidcMapping {
  /** The claim that lists the person's groups at the provider. */
  groupsClaim: string;
  /**
   * The Countersign groups whose members follow the provider: every group
   * (`'*'`) or these. Memberships in other groups are left to admins.
   */
  managedGroups: '*' | readonly string[];
  /** Provider groups whose members are admins (normalised); null: roles are managed in Countersign. */
  adminGroups: readonly string[] | null;
}

/** Provider and Countersign group names meet in one form: trimmed, lowercase ("Finance" is finance). */
export const normaliseGroupName = (name: string): string => name.trim().toLowerCase();

/**
 * The groups a claim names: a list of strings, or one string (some providers
 * send a single group so). Anything else names no group: a person whose
 * provider sends no groups claim is in no group it manages.
 */
export function claimedGroups(value: unknown): string[] {
  const entries = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  const names = entries.filter((entry): entry is string => typeof entry === 'string').map(normaliseGroupName);
  return [...new Set(names.filter(Boolean))].sort();
}

/** Admin when in any admin group; null when the provider does not manage roles (OIDC_ADMIN_GROUPS unset). */
export function roleFromGroups(groups: readonly string[], adminGroups: readonly string[] | null): Role | null {
  if (adminGroups === null) return null;
  return groups.some((group) => adminGroups.includes(group)) ? 'ADMIN' : 'REVIEWER';
}

export interface OidcIdentity {
  email: string;
  name: string | null;
  /** The provider's groups, normalised: not all of them need be Countersign groups. */
  groups: string[];
  /** The role the provider gives, or null to keep the one Countersign has (REVIEWER for someone new). */
  role: Role | null;
}

/** Why the provider's word is not enough to sign someone in. */
export type OidcRefusal = 'NoEmail' | 'EmailUnverified';

const emailClaim = z.string().trim().toLowerCase().max(200).email();
const nameClaim = z.string().trim().min(1).max(200);

/** email_verified is a boolean by the spec; some providers (Cognito) send the string "false". */
const saysUnverified = (value: unknown) => value === false || value === 'false';

function readName(claims: Record<string, unknown>): string | null {
  const full = nameClaim.safeParse(claims.name);
  if (full.success) return full.data;
  const parts = [claims.given_name, claims.family_name].filter((part): part is string => typeof part === 'string' && part.trim() !== '');
  const joined = nameClaim.safeParse(parts.join(' '));
  return joined.success ? joined.data : null;
}

/**
 * The person the claims describe. An email is required (people are found by
 * it), and refused when the provider says it is not verified; a provider that
 * does not say (Entra ID sends no email_verified) is trusted for its own
 * addresses.
 */
export function readOidcIdentity(
  claims: Record<string, unknown>,
  mapping: OidcMapping,
): { ok: true; identity: OidcIdentity } | { ok: false; refusal: OidcRefusal } {
  const email = emailClaim.safeParse(claims.email);
  if (!email.success) return { ok: false, refusal: 'NoEmail' };
  if (saysUnverified(claims.email_verified)) return { ok: false, refusal: 'EmailUnverified' };
  const groups = claimedGroups(claims[mapping.groupsClaim]);
  return { ok: true, identity: { email: email.data, name: readName(claims), groups, role: roleFromGroups(groups, mapping.adminGroups) } };
}

/** Whether the ID token lacks the email or the groups claim, which userinfo may then carry. */
export function lacksClaims(claims: Record<string, unknown>, mapping: OidcMapping): boolean {
  return claims.email === undefined || claims[mapping.groupsClaim] === undefined;
}

/** The ID token's claims, completed from userinfo: the signed token wins where both say something. */
export function completeClaims(idToken: Record<string, unknown>, userinfo: Record<string, unknown>): Record<string, unknown> {
  const completed: Record<string, unknown> = { ...userinfo };
  for (const [name, value] of Object.entries(idToken)) if (value !== undefined) completed[name] = value;
  return completed;
}

export interface MembershipPlan {
  add: string[];
  remove: string[];
}

/**
 * Which memberships to add and remove so that, within the managed groups,
 * the person is in exactly the ones the provider names. Provider groups that
 * are not Countersign groups are ignored (sign-in never creates a group), and
 * groups outside the managed set are never touched.
 */
export function planMemberships(input: {
  /** The person's Countersign groups now. */
  current: readonly string[];
  /** The provider's groups, normalised. */
  claimed: readonly string[];
  /** Which of the claimed groups exist in Countersign. */
  existing: readonly string[];
  managed: OidcMapping['managedGroups'];
}): MembershipPlan {
  const isManaged = (group: string) => input.managed === '*' || input.managed.includes(group);
  const wanted = new Set(input.claimed.filter((group) => isManaged(group) && input.existing.includes(group)));
  const current = new Set(input.current);
  return {
    add: [...wanted].filter((group) => !current.has(group)).sort(),
    remove: [...current].filter((group) => isManaged(group) && !wanted.has(group)).sort(),
  };
}
