'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { clearDelegation, describeUntil, setDelegation, setDelegationSchema } from '@/lib/directory';
import { getDb } from '@/lib/db';
import { emailNotificationsSchema, setEmailNotifications } from '@/lib/email/preferences';
import type { ActionState } from '@/lib/web/action-state';
import { formFields, runAction } from '@/lib/web/actions';

function revalidateSettings(): void {
  revalidatePath('/settings');
  revalidatePath('/admin/users');
}

/** "Away until T, my requests go to U." */
export async function setDelegationAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'REVIEWER',
    schema: setDelegationSchema,
    input: formFields(formData),
    async run(user, input) {
      const delegation = await setDelegation(getDb(), user, input);
      revalidateSettings();
      return `Saved: ${delegation.delegate} decides for you ${describeUntil(delegation.awayUntil)}.`;
    },
  });
}

export async function clearDelegationAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'REVIEWER',
    schema: z.object({}),
    input: formFields(formData),
    async run(user) {
      const change = await clearDelegation(getDb(), user);
      revalidateSettings();
      return change.changed ? `Ended: your requests no longer go to ${change.delegate}.` : 'You had no delegation in force.';
    },
  });
}

/** Mail about requests (new, escalated, reminders): on or off. */
export async function setEmailNotificationsAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'REVIEWER',
    schema: emailNotificationsSchema,
    input: formFields(formData),
    async run(user, input) {
      const changed = await setEmailNotifications(getDb(), user, input.emailNotifications);
      revalidatePath('/settings');
      const now = input.emailNotifications ? 'You get email about requests that need you.' : 'You get no email about requests.';
      return changed ? `Saved. ${now}` : `No change. ${now}`;
    },
  });
}
