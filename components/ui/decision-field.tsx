import { COMMENT_MAX, REASON_MAX } from '@/lib/contract/limits';

export type DecisionKind = 'approve' | 'reject';

/** The text a decision carries, wherever it is made: an optional comment to approve, a required reason to reject. */
export const DECISION_FIELDS = {
  approve: { name: 'comment', label: 'Comment', hint: '(optional)', maxLength: COMMENT_MAX },
  reject: { name: 'reason', label: 'Reason', hint: '(required to reject)', maxLength: REASON_MAX },
} as const;

export function DecisionFieldLabel({ kind, htmlFor }: { kind: DecisionKind; htmlFor: string }) {
  const field = DECISION_FIELDS[kind];
  return (
    <label htmlFor={htmlFor} className="block text-sm font-medium text-slate-700">
      {field.label} <span className="font-normal text-slate-500">{field.hint}</span>
    </label>
  );
}
