'use client';

import { useActionState } from 'react';
import { SubmitButton } from '@/components/ui/submit-button';
import { LocalTime } from '@/components/ui/local-time';
import { IDLE, type ActionState } from '@/lib/web/action-state';
import type { ApiKeyRow } from '@/lib/api/keys';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

const cell = 'px-3 py-2 align-top';

function When({ at, none }: { at: Date | null; none: string }) {
  return at ? <LocalTime iso={at.toISOString()} /> : <span className="text-slate-500">{none}</span>;
}

function RevokeButton({ id, name, revoke }: { id: string; name: string; revoke: Action }) {
  const [state, submit, pending] = useActionState(revoke, IDLE);
  return (
    <form action={submit}>
      <input type="hidden" name="id" value={id} />
      <SubmitButton
        pending={pending}
        label="Revoke"
        pendingLabel="Revoking…"
        aria-label={`Revoke ${name}`}
        className="min-h-10 rounded-md border border-red-300 px-3 py-1 text-sm font-medium text-red-700 hover:bg-red-50 disabled:opacity-60"
      />
      <p role="status" aria-live="polite" className="text-xs text-red-700">
        {state.status === 'error' ? state.message : ''}
      </p>
    </form>
  );
}

/** Every key: who it acts as, what it may do, when it was last used; revoked ones say so. */
export function ApiKeysTable({ keys, revoke }: { keys: ApiKeyRow[]; revoke: Action }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full text-sm">
        <thead className="bg-slate-50 text-left text-slate-600">
          <tr>
            {['Name', 'User', 'Scopes', 'Key', 'Created', 'Last used', 'Expires', 'State'].map((label) => (
              <th key={label} scope="col" className={cell}>
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id} data-testid="api-key-row" className="border-t border-slate-100">
              <td className={`${cell} font-medium`}>{key.name}</td>
              <td className={cell}>
                {key.userEmail}
                {!key.userActive && <span className="ml-1 text-xs text-red-700">(deactivated)</span>}
              </td>
              <td className={cell}>{key.scopes.join(', ')}</td>
              <td className={`${cell} font-mono text-xs`}>cs_{key.prefix}_…</td>
              <td className={cell}>
                <When at={key.createdAt} none="" /> <span className="text-xs text-slate-500">by {key.createdBy}</span>
              </td>
              <td className={cell}>
                <When at={key.lastUsedAt} none="never" />
              </td>
              <td className={cell}>
                <When at={key.expiresAt} none="never" />
              </td>
              <td className={cell}>
                {key.revokedAt ? (
                  <span className="text-red-700">
                    Revoked <When at={key.revokedAt} none="" />
                  </span>
                ) : (
                  <RevokeButton id={key.id} name={key.name} revoke={revoke} />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
