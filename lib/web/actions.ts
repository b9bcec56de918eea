// The one wrapper every server action goes through: authorise, validate with
// zod, run one domain call, and turn coded errors into messages for the form.
import 'server-only';
import type { z } from 'zod';
import type { ActionState } from './action-state';
import type { Role } from '../auth/access';
import { CodedError } from '../coded-error';
import { requireUser } from '../auth/session';
import type { SessionUser } from '../auth/users';
import type { ApprovalDeps } from '../approvals/deps';
import { InvalidValuesError } from '../approvals/errors';
import { getDb, isDatabaseBusy } from '../db';
import { getTemporalClient } from '../temporal';

/** The approvals domain's dependencies in a web process: its database client and its one Temporal client. */
export async function approvalDeps(): Promise<ApprovalDeps> {
  return { db: getDb(), temporal: await getTemporalClient() };
}

/** Form fields as plain strings; files and repeated keys are not part of any form here. */
export function formFields(formData: FormData): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of formData.entries()) {
    if (typeof value === 'string' && !key.startsWith('$ACTION')) fields[key] = value;
  }
  return fields;
}

const BUSY = 'Countersign is busy right now. Reload in a moment to see what went through, then try again if needed.';

function isMissing(input: unknown, field: string): boolean {
  return typeof input === 'object' && input !== null && field !== 'form' && (input as Record<string, unknown>)[field] === undefined;
}

export function runAction<S extends z.ZodType>(options: {
  role: Role;
  schema: S;
  input: unknown;
  run: (user: SessionUser, input: z.output<S>) => Promise<string>;
}): Promise<ActionState<string>> {
  return settle(() => requireUser(options.role), options);
}

/**
 * The same for the one form a signed-out visitor may send (a set-password
 * link, app/invite): no user to authorise; the domain call checks the link.
 */
export function runPublicAction<S extends z.ZodType>(options: {
  schema: S;
  input: unknown;
  run: (input: z.output<S>) => Promise<string>;
}): Promise<ActionState<string>> {
  return settle(async () => null, { ...options, run: (_nobody: null, input: z.output<S>) => options.run(input) });
}

async function settle<S extends z.ZodType, U>(
  authorise: () => Promise<U>,
  options: { schema: S; input: unknown; run: (user: U, input: z.output<S>) => Promise<string> },
): Promise<ActionState<string>> {
  try {
    const user = await authorise();
    const parsed = options.schema.safeParse(options.input);
    if (!parsed.success) {
      const fieldErrors: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? 'form');
        // A field the form never sent (an edited page, a stale or hand-made
        // request) gets this, not zod's "expected string, received undefined".
        fieldErrors[field] ??= isMissing(options.input, field)
          ? `The form was sent without "${field}". Reload the page and try again.`
          : issue.message;
      }
      return { status: 'error', message: 'Please correct the highlighted fields.', fieldErrors };
    }
    return { status: 'ok', message: await options.run(user, parsed.data) };
  } catch (error) {
    if (error instanceof InvalidValuesError) return { status: 'error', message: error.message, fieldErrors: error.fieldErrors };
    if (error instanceof CodedError) return { status: 'error', message: error.message };
    console.error('[countersign] action failed:', error instanceof Error ? error.message : error);
    // No connection or statement in time: the database is saturated, and waiting longer would not help.
    if (isDatabaseBusy(error)) return { status: 'error', message: BUSY };
    return { status: 'error', message: 'Countersign could not complete that just now. Try again in a moment.' };
  }
}
