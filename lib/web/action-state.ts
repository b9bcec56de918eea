// What every server action returns to its form (used with useActionState).
export type ActionState<Field extends string = string> =
  | { status: 'idle' }
  | { status: 'ok'; message: string }
  | { status: 'error'; message: string; fieldErrors?: Partial<Record<Field, string>> };

export const IDLE: ActionState = { status: 'idle' };
