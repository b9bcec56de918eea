// Who may decide a request now: pure rules over the request's routing (see
// ./routing.ts), the person acting, the people who delegated to them, and the
// approvals already given. The inbox's "for me" SQL (./eligible-sql.ts) says
// the same thing for many rows at once; both are tested against each other.
import { hasRole, type Role } from '../../auth/access';
import type { Routing } from './routing';

export interface Person {
  email: string;
  role: Role;
  active: boolean;
  groups: string[];
}

/** The person acting, and the active people who are away and delegate to them. */
export interface Actor extends Person {
  delegators: Person[];
}

/** The routing columns of a request row, its window, and its requester. */
export interface RoutedRequest extends Routing {
  /** The activity attempt: from 2 on, the escalation people are eligible too. */
  attempt: number;
  requester: string | null;
}

export type Eligibility =
  /** `voter`: who the approval counts for (the actor, or the person they stand in for). */
  { ok: true; voter: string; onBehalfOf: string | null } | { ok: false; reason: string };

export const isAnyReviewer = (r: Pick<Routing, 'approverGroups' | 'approverUsers'>) =>
  r.approverGroups.length === 0 && r.approverUsers.length === 0;

export const isEscalated = (r: Pick<RoutedRequest, 'attempt' | 'escalateGroups' | 'escalateUsers'>) =>
  r.attempt >= 2 && (r.escalateGroups.length > 0 || r.escalateUsers.length > 0);

const inAny = (person: Person, groups: string[], users: string[]) =>
  users.includes(person.email) || person.groups.some((g) => groups.includes(g));

/** Is `person` among who may decide, ignoring four eyes and votes? */
export function isRouted(request: RoutedRequest, person: Person): boolean {
  if (!person.active || !hasRole(person, 'REVIEWER')) return false;
  if (isAnyReviewer(request) || inAny(person, request.approverGroups, request.approverUsers)) return true;
  return request.attempt >= 2 && inAny(person, request.escalateGroups, request.escalateUsers);
}

const isRequester = (request: RoutedRequest, email: string) =>
  request.fourEyes && request.requester !== null && request.requester === email;

/** Who may decide, in words: "finance or ops", "alice@x", "any reviewer". */
export function describeEligible(request: RoutedRequest): string {
  if (isAnyReviewer(request)) return 'any reviewer';
  const names = (groups: string[], users: string[]) => [...groups.map((g) => `${g} (group)`), ...users];
  const now = names(request.approverGroups, request.approverUsers);
  const later = names(request.escalateGroups, request.escalateUsers);
  if (request.attempt >= 2 && later.length) return [...now, ...later].join(', ');
  return now.join(', ');
}

/**
 * May `actor` approve, reject or claim `request` now, given the approvals
 * already recorded for its run? One person counts once: as themselves when
 * they are eligible, else for one away colleague who is and has not voted.
 */
export function eligibilityOf(request: RoutedRequest, actor: Actor, votes: { voter: string; actor: string }[]): Eligibility {
  if (!actor.active) return { ok: false, reason: 'Your account is deactivated.' };
  if (votes.some((v) => v.actor === actor.email || v.voter === actor.email)) {
    return { ok: false, reason: `You have already approved this request (${votes.length} of ${request.quorum} approvals so far).` };
  }
  if (isRequester(request, actor.email)) {
    return { ok: false, reason: 'You requested this, so someone else must decide it (four eyes).' };
  }
  if (isRouted(request, actor)) return { ok: true, voter: actor.email, onBehalfOf: null };
  for (const away of actor.delegators) {
    if (!isRouted(request, away) || isRequester(request, away.email)) continue;
    if (votes.some((v) => v.voter === away.email || v.actor === away.email)) continue;
    return { ok: true, voter: away.email, onBehalfOf: away.email };
  }
  return { ok: false, reason: `Only ${describeEligible(request)} may decide this request.` };
}
