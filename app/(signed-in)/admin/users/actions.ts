'use server';

import { headers } from 'next/headers';
import { revalidatePath } from 'next/cache';
import {
  changeRole,
  changeRoleSchema,
  deactivateUser,
  inviteUser,
  inviteUserSchema,
  issuePasswordLink,
  linkPath,
  reactivateUser,
  userRefSchema,
} from '@/lib/directory';
import { getDb } from '@/lib/db';
import { authEnv } from '@/lib/env';
import { formatTimestamp } from '@/lib/format';
import type { ActionState, LinkActionState } from '@/lib/web/action-state';
import { formFields, runAction } from '@/lib/web/actions';
import { revalidateApprovals } from '@/lib/web/revalidate';

/** The full link to pass on: this site's address as configured (NEXTAUTH_URL), else as the browser reached it. */
async function linkUrl(token: string): Promise<string> {
  const configured = authEnv().NEXTAUTH_URL;
  if (configured) return new URL(linkPath(token), configured).toString();
  const sent = await headers();
  const host = sent.get('x-forwarded-host') ?? sent.get('host') ?? 'localhost:3000';
  const protocol = sent.get('x-forwarded-proto') ?? 'http';
  return `${protocol}://${host}${linkPath(token)}`;
}

function revalidateDirectory(): void {
  revalidatePath('/admin/users');
  revalidatePath('/admin/groups');
}

const linkSentence = (expiresAt: Date) =>
  `Copy the link below and send it to them yourself: it is shown only now, works once, and expires ${formatTimestamp(expiresAt)}.`;

/** An admin invites someone: they get a link to set their own password. */
export async function inviteUserAction(_previous: LinkActionState, formData: FormData): Promise<LinkActionState> {
  let link: string | undefined;
  const state = await runAction({
    role: 'ADMIN',
    schema: inviteUserSchema,
    input: { ...formFields(formData), groups: formData.getAll('groups') },
    async run(user, input) {
      const invited = await inviteUser(getDb(), user, input);
      link = await linkUrl(invited.token);
      revalidateDirectory();
      return `Invited ${invited.email}. ${linkSentence(invited.expiresAt)}`;
    },
  });
  return link ? { ...state, link } : state;
}

/** A new set-password link for someone (a reset); their earlier unused link stops working. */
export async function issueLinkAction(_previous: LinkActionState, formData: FormData): Promise<LinkActionState> {
  let link: string | undefined;
  const state = await runAction({
    role: 'ADMIN',
    schema: userRefSchema,
    input: formFields(formData),
    async run(user, input) {
      const issued = await issuePasswordLink(getDb(), user, input);
      link = await linkUrl(issued.token);
      revalidateDirectory();
      return `New link for ${issued.email}; any earlier one no longer works. ${linkSentence(issued.expiresAt)}`;
    },
  });
  return link ? { ...state, link } : state;
}

export async function changeRoleAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'ADMIN',
    schema: changeRoleSchema,
    input: formFields(formData),
    async run(user, input) {
      const change = await changeRole(getDb(), user, input);
      revalidateDirectory();
      const role = change.role === 'ADMIN' ? 'an admin' : 'a reviewer';
      return change.changed ? `${change.email} is now ${role}.` : `${change.email} is ${role} already.`;
    },
  });
}

/** Deactivates someone: their session ends, and the requests they held are released. */
export async function deactivateUserAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'ADMIN',
    schema: userRefSchema,
    input: formFields(formData),
    async run(user, input) {
      const change = await deactivateUser(getDb(), user, input);
      revalidateDirectory();
      if (!change.changed) return `${change.email} is deactivated already.`;
      if (change.released.length) revalidateApprovals(...change.released);
      const released = change.released.length;
      const claims = released === 0 ? '' : ` ${released} ${released === 1 ? 'request they held was' : 'requests they held were'} released.`;
      return `Deactivated ${change.email}: they are signed out.${claims}`;
    },
  });
}

export async function reactivateUserAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'ADMIN',
    schema: userRefSchema,
    input: formFields(formData),
    async run(user, input) {
      const change = await reactivateUser(getDb(), user, input);
      revalidateDirectory();
      return change.changed ? `Reactivated ${change.email}: they can sign in again.` : `${change.email} is active already.`;
    },
  });
}
