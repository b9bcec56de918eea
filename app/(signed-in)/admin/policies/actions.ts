'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import type { PolicyFormState } from '@/components/admin/policy-form';
import {
  createPolicy,
  deletePolicy,
  PolicyError,
  policyInputSchema,
  readPolicyForm,
  updatePolicy,
  type PolicyFields,
} from '@/lib/approvals/policy/policies';
import type { SessionUser } from '@/lib/auth/users';
import { getDb } from '@/lib/db';
import type { ActionState } from '@/lib/web/action-state';
import { formFields, runAction } from '@/lib/web/actions';

function revalidatePolicies(name?: string): void {
  revalidatePath('/admin/policies');
  if (name) revalidatePath(`/admin/policies/${name}`);
}

/**
 * runAction for the policy form: a refusal that names a field (an unknown
 * group) is shown beside that field, and a refused form keeps what was typed.
 */
async function runPolicyForm(
  formData: FormData,
  run: (user: SessionUser, input: PolicyFields) => Promise<string>,
): Promise<PolicyFormState> {
  const values = readPolicyForm(formData);
  let refused: PolicyError | undefined;
  const state = await runAction({
    role: 'ADMIN',
    schema: policyInputSchema,
    input: values,
    async run(user, input) {
      try {
        return await run(user, input);
      } catch (error) {
        if (error instanceof PolicyError) refused = error;
        throw error;
      }
    },
  });
  if (state.status !== 'error') return state;
  const fieldErrors = refused?.field ? { ...state.fieldErrors, [refused.field]: refused.message } : state.fieldErrors;
  return { ...state, ...(fieldErrors ? { fieldErrors } : {}), values };
}

export async function createPolicyAction(_previous: PolicyFormState, formData: FormData): Promise<PolicyFormState> {
  return runPolicyForm(formData, async (user, input) => {
    const policy = await createPolicy(getDb(), user, input);
    revalidatePolicies(policy.name);
    return `Created the policy ${policy.name}. Requests may name it from now on.`;
  });
}

export async function updatePolicyAction(_previous: PolicyFormState, formData: FormData): Promise<PolicyFormState> {
  return runPolicyForm(formData, async (user, input) => {
    const { policy, changed } = await updatePolicy(getDb(), user, input);
    revalidatePolicies(policy.name);
    return changed.length ? `Saved ${policy.name}. Requests that arrive from now on follow it.` : 'Nothing changed.';
  });
}

const policyRefSchema = z.object({ name: z.string().min(1, 'choose a policy') });

/** Deletes a policy no pending request names, then goes back to the list. */
export async function deletePolicyAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const state = await runAction({
    role: 'ADMIN',
    schema: policyRefSchema,
    input: formFields(formData),
    async run(user, input) {
      const deleted = await deletePolicy(getDb(), user, input.name);
      revalidatePolicies(deleted.name);
      return deleted.name;
    },
  });
  // Outside runAction: redirect() throws, and runAction would take it for a failure.
  if (state.status === 'ok') redirect(`/admin/policies?deleted=${encodeURIComponent(state.message)}`);
  return state;
}
