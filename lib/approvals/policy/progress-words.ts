// A quorum's progress in words, for the request page, the inbox and the
// answers to a decision. Pure: client components use it too.

/** "1 of 2 approvals" */
export const approvalsOf = (progress: { approvals: number; quorum: number }) =>
  `${progress.approvals} of ${progress.quorum} approval${progress.quorum === 1 ? '' : 's'}`;

/** The answer to an approval that did not complete the quorum. */
export function approvalRecorded(progress: { approvals: number; quorum: number }): string {
  const left = progress.quorum - progress.approvals;
  return `Your approval is recorded: ${approvalsOf(progress)}. It needs ${left} more before the workflow resumes.`;
}

/** "alice@x" or "bob@x for alice@x". */
export const actingFor = (actor: string, onBehalfOf: string | null | undefined) => (onBehalfOf ? `${actor} for ${onBehalfOf}` : actor);
