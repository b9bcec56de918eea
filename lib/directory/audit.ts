// The directory's audit trail: every change to people, groups, links and
// delegation is one audit_events row with no request (approval_request_id
// null), written in the same transaction as the change. Details never hold a
// token or a password.
import type { Prisma } from '@prisma/client';
import { isAdmin, notAllowed, type Role } from '../auth/access';
import type { Db } from '../db';

export const DIRECTORY_ACTIONS = [
  'USER_CREATED',
  'USER_INVITED',
  'LINK_ISSUED',
  'PASSWORD_SET',
  'ROLE_CHANGED',
  'USER_DEACTIVATED',
  'USER_REACTIVATED',
  'GROUP_CREATED',
  'GROUP_DELETED',
  'MEMBER_ADDED',
  'MEMBER_REMOVED',
  'DELEGATION_SET',
  'DELEGATION_CLEARED',
  'EMAIL_NOTIFICATIONS_CHANGED',
] as const;
export type DirectoryAction = (typeof DIRECTORY_ACTIONS)[number];

/** A transaction of the directory's client (what `db.$transaction(fn)` hands `fn`). */
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/** Whoever makes a change: their email is the audit event's actor. */
export interface Actor {
  id: string;
  email: string;
  role: Role;
}

export function requireAdmin(actor: Actor): void {
  if (!isAdmin(actor)) throw notAllowed();
}

export function recordDirectoryEvent(
  tx: Tx | Db,
  event: { actor: string; action: DirectoryAction; details: Prisma.InputJsonObject; path?: 'DASHBOARD' | 'EXTERNAL' },
): Promise<unknown> {
  return tx.auditEvent.create({
    data: { approvalRequestId: null, actor: event.actor, action: event.action, path: event.path ?? 'DASHBOARD', details: event.details },
  });
}

export interface DirectoryEvent {
  id: string;
  at: Date;
  actor: string;
  action: DirectoryAction;
  details: Record<string, unknown>;
}

/** The newest directory changes, newest first (admins only). */
export async function listDirectoryEvents(db: Db, actor: Actor, limit = 50): Promise<DirectoryEvent[]> {
  requireAdmin(actor);
  const rows = await db.auditEvent.findMany({
    where: { approvalRequestId: null, action: { in: [...DIRECTORY_ACTIONS] } },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: limit,
    select: { id: true, at: true, actor: true, action: true, details: true },
  });
  return rows.map((row) => ({
    ...row,
    action: row.action as DirectoryAction,
    details: row.details && typeof row.details === 'object' && !Array.isArray(row.details) ? row.details : {},
  }));
}
