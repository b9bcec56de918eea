'use server';

import { revalidatePath } from 'next/cache';
import { apiKeyFormSchema, apiKeyRefSchema, createApiKey, revokeApiKey } from '@/lib/api/keys';
import { getDb } from '@/lib/db';
import type { ActionState, LinkActionState } from '@/lib/web/action-state';
import { formFields, runAction } from '@/lib/web/actions';

function revalidateKeys(): void {
  revalidatePath('/admin/api-keys');
  revalidatePath('/admin/users');
}

/** An admin makes a key for a (service) user; the key comes back once, in `link`, and is never shown again. */
export async function createApiKeyAction(_previous: LinkActionState, formData: FormData): Promise<LinkActionState> {
  let key: string | undefined;
  const state = await runAction({
    role: 'ADMIN',
    schema: apiKeyFormSchema,
    input: formFields(formData),
    async run(user, input) {
      const created = await createApiKey(getDb(), user, input);
      key = created.key;
      revalidateKeys();
      const who = created.userCreated ? `the new service user ${created.userEmail}` : created.userEmail;
      return `Created a key for ${who}. Copy it now: it is shown only once.`;
    },
  });
  return key ? { ...state, link: key } : state;
}

/** Revokes a key: its next request is refused. */
export async function revokeApiKeyAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction({
    role: 'ADMIN',
    schema: apiKeyRefSchema,
    input: formFields(formData),
    async run(user, input) {
      const revoked = await revokeApiKey(getDb(), user, input);
      revalidateKeys();
      return revoked.changed ? `Revoked the key ${revoked.name}.` : `The key ${revoked.name} was revoked already.`;
    },
  });
}
