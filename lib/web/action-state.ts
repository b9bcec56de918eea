// What every server action returns to its form (used with useActionState).
import type { BulkItemResult } from '../approvals/commands/bulk';

export type ActionState<Field extends string = string> =
  | { status: 'idle' }
  | { status: 'ok'; message: string }
  | { status: 'error'; message: string; fieldErrors?: Partial<Record<Field, string>> };

export const IDLE: ActionState = { status: 'idle' };

/** A bulk decision's answer to its form: the usual state, and one result per request. */
export type BulkActionState = ActionState & { results?: BulkItemResult[] };

/** An action that made a set-password link: the usual state, and the link itself, shown once. */
export type LinkActionState = ActionState & { link?: string };
