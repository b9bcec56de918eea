// A reviewer's choice to get mail (new requests, escalations, reminders) or
// not: one flag on the user, every change audited with the directory's trail.
import { z } from 'zod';
import type { Db } from '../db';
import { recordDirectoryEvent, type Actor } from '../directory/audit';

export const emailNotificationsSchema = z.object({
  emailNotifications: z.enum(['on', 'off'], { error: 'choose on or off' }).transform((v) => v === 'on'),
});

export async function readEmailNotifications(db: Db, actor: Pick<Actor, 'id'>): Promise<boolean> {
  const user = await db.user.findUnique({ where: { id: actor.id }, select: { emailNotifications: true } });
  return user?.emailNotifications ?? false;
}

/** Turns the actor's mail on or off; returns whether anything changed. */
export function setEmailNotifications(db: Db, actor: Actor, on: boolean): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const changed = await tx.user.updateMany({ where: { id: actor.id, emailNotifications: !on }, data: { emailNotifications: on } });
    if (changed.count === 0) return false;
    await recordDirectoryEvent(tx, {
      actor: actor.email,
      action: 'EMAIL_NOTIFICATIONS_CHANGED',
      details: { email: actor.email, emailNotifications: on },
    });
    return true;
  });
}
