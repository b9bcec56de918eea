'use server';

import { setPasswordSchema, setPasswordWithLink } from '@/lib/directory';
import { getDb } from '@/lib/db';
import type { ActionState } from '@/lib/web/action-state';
import { formFields, runPublicAction } from '@/lib/web/actions';

/** A signed-out visitor sets their password through their one-time link. */
export async function setPasswordAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runPublicAction({
    schema: setPasswordSchema,
    input: formFields(formData),
    async run(input) {
      const { email } = await setPasswordWithLink(getDb(), input);
      return `Your password is set. Sign in as ${email} with it.`;
    },
  });
}
