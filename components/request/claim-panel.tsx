'use client';

import { useActionState } from 'react';
import { ActionOutcome } from '@/components/ui/action-outcome';
import { formatTimestamp } from '@/lib/format';
import { IDLE, type ActionState } from '@/lib/web/action-state';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

/** Who holds the request, and Claim / Release for the signed-in reviewer. */
export function ClaimPanel({
  approvalId,
  claimedBy,
  claimedAt,
  me,
  claimAction,
  releaseAction,
}: {
  approvalId: string;
  claimedBy: string | null;
  claimedAt: string | null;
  me: string;
  claimAction: Action;
  releaseAction: Action;
}) {
  const [claimState, claim, claiming] = useActionState(claimAction, IDLE);
  const [releaseState, release, releasing] = useActionState(releaseAction, IDLE);
  const latest = releaseState.status !== 'idle' && (claimState.status === 'idle' || releasing) ? releaseState : claimState;
  const mine = claimedBy === me;

  return (
    <section
      aria-labelledby="claim-heading"
      className="flex flex-wrap items-center gap-3 rounded-lg border border-slate-200 bg-white p-4 text-sm"
    >
      <h2 id="claim-heading" className="sr-only">
        Claim
      </h2>
      <p data-testid="claim-holder" className="grow">
        {claimedBy ? (
          <>
            Claimed by <strong>{mine ? 'you' : claimedBy}</strong>
            {claimedAt && (
              <>
                {' '}
                since <time dateTime={claimedAt}>{formatTimestamp(new Date(claimedAt))}</time>
              </>
            )}
          </>
        ) : (
          'Nobody has claimed this request.'
        )}
      </p>
      {!claimedBy && (
        <form action={claim}>
          <input type="hidden" name="id" value={approvalId} />
          <button
            type="submit"
            disabled={claiming}
            className="min-h-10 rounded-md border border-brand-700 px-3 py-1.5 font-medium text-brand-700 hover:bg-brand-50 disabled:opacity-60"
          >
            {claiming ? 'Claiming…' : 'Claim'}
          </button>
        </form>
      )}
      {mine && (
        <form action={release}>
          <input type="hidden" name="id" value={approvalId} />
          <button
            type="submit"
            disabled={releasing}
            className="min-h-10 rounded-md border border-slate-300 px-3 py-1.5 font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-60"
          >
            {releasing ? 'Releasing…' : 'Release'}
          </button>
        </form>
      )}
      <div aria-live="polite" className="basis-full empty:hidden">
        <ActionOutcome state={latest} />
      </div>
    </section>
  );
}
