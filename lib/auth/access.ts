// Who may do what: the roles, the one admin check, and the error a caller
// gets when signed out or not allowed. Pure: pages, actions, the domain and
// client components all use it.
import { z } from 'zod';
import { CodedError } from '../coded-error';

export const roleSchema = z.enum(['REVIEWER', 'ADMIN']);
export type Role = z.infer<typeof roleSchema>;

const RANK: Record<Role, number> = { REVIEWER: 1, ADMIN: 2 };

/** At least `role`: an admin may do whatever a reviewer may. */
export function hasRole(user: { role: Role }, role: Role): boolean {
  return RANK[user.role] >= RANK[role];
}

export const isAdmin = (user: { role: Role }): boolean => hasRole(user, 'ADMIN');

export type AccessErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN';

/** Signed out (401) or not allowed (403), with a message the caller can act on. */
export class AccessError extends CodedError<AccessErrorCode> {
  override readonly name = 'AccessError';

  get httpStatus(): number {
    return this.code === 'UNAUTHENTICATED' ? 401 : 403;
  }
}

export const signedOut = () => new AccessError('UNAUTHENTICATED', 'Your session has ended. Sign in again.');
export const notAllowed = () => new AccessError('FORBIDDEN', 'You do not have permission to do that.');
