'use server';

import { revalidatePath } from 'next/cache';
import { addMember, createGroup, deleteGroup, groupRefSchema, memberSchema, newGroupSchema, removeMember } from '@/lib/directory';
import { getDb } from '@/lib/db';
import type { ActionState } from '@/lib/web/action-state';
import { formFields, runAction } from '@/lib/web/actions';

function revalidateDirectory(): void {
  revalidatePath('/admin/groups');
  revalidatePath('/admin/users');
}

export async function createGroupAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'ADMIN',
    schema: newGroupSchema,
    input: formFields(formData),
    async run(user, input) {
      const group = await createGroup(getDb(), user, input);
      revalidateDirectory();
      return `Created the group ${group.name}. Add people to it below.`;
    },
  });
}

/** Deletes a group that no policy and no pending request names. */
export async function deleteGroupAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'ADMIN',
    schema: groupRefSchema,
    input: formFields(formData),
    async run(user, input) {
      const deleted = await deleteGroup(getDb(), user, input);
      revalidateDirectory();
      return `Deleted the group ${deleted.name}.`;
    },
  });
}

export async function addMemberAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'ADMIN',
    schema: memberSchema,
    input: formFields(formData),
    async run(user, input) {
      const change = await addMember(getDb(), user, input);
      revalidateDirectory();
      return change.changed ? `Added ${input.email} to ${input.group}.` : `${input.email} is in ${input.group} already.`;
    },
  });
}

export async function removeMemberAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'ADMIN',
    schema: memberSchema,
    input: formFields(formData),
    async run(user, input) {
      const change = await removeMember(getDb(), user, input);
      revalidateDirectory();
      return change.changed ? `Removed ${input.email} from ${input.group}.` : `${input.email} was not in ${input.group}.`;
    },
  });
}
