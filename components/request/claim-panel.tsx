'use client';

import { useActionState } from 'react';
import { ActionOutcome } from '@/components/ui/action-outcome';
import { LocalTime } from '@/components/ui/local-time';
import { RequestButtonForm } from '@/components/ui/submit-button';
import { IDLE, type ActionState } from '@/lib/web/action-state';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

const button = 'min-h-10 rounded-md border px-3 py-1.5 font-medium disabled:opacity-60';
const BUTTONS = {
  claim: { label: 'Claim', pendingLabel: 'Claiming…', className: `${button} border-brand-700 text-brand-700 hover:bg-brand-50` },
  release: { label: 'Release', pendingLabel: 'Releasing…', className: `${button} border-slate-300 text-slate-700 hover:bg-slate-50` },
};

/** Who holds the request, and Claim / Release for the signed-in reviewer. */
export function ClaimPanel({
  approvalId,
  claimedBy,
  claimedAt,
  me,
  mayClaim = true,
  claimAction,
  releaseAction,
}: {
  approvalId: string;
  claimedBy: string | null;
  claimedAt: string | null;
  me: string;
  /** False for someone who may not decide the request now: they see who holds it, and no Claim button. */
  mayClaim?: boolean;
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
                since <LocalTime iso={claimedAt} />
              </>
            )}
          </>
        ) : (
          'Nobody has claimed this request.'
        )}
      </p>
      {!claimedBy && mayClaim && <RequestButtonForm action={claim} approvalId={approvalId} pending={claiming} {...BUTTONS.claim} />}
      {mine && <RequestButtonForm action={release} approvalId={approvalId} pending={releasing} {...BUTTONS.release} />}
      <div aria-live="polite" className="basis-full empty:hidden">
        <ActionOutcome state={latest} />
      </div>
    </section>
  );
}
