import type { Metadata } from 'next';
import { AdminsOnly } from '@/components/admin/admins-only';
import { ApiKeyForm } from '@/components/admin/api-key-form';
import { ApiKeysTable } from '@/components/admin/api-keys-table';
import { listApiKeys } from '@/lib/api/keys';
import { isAdmin } from '@/lib/auth/access';
import { getCurrentUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { listActiveUsers } from '@/lib/directory';
import { createApiKeyAction, revokeApiKeyAction } from './actions';

export const metadata: Metadata = { title: 'API keys' };
export const dynamic = 'force-dynamic';

export default async function ApiKeysPage() {
  const user = await getCurrentUser();
  if (!user || !isAdmin(user)) {
    return <AdminsOnly what="API keys are managed by admins." />;
  }
  const db = getDb();
  const [keys, people] = await Promise.all([listApiKeys(db, user), listActiveUsers(db)]);

  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold tracking-tight">API keys</h1>

      <section aria-labelledby="new-key-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="new-key-heading" className="mb-1 text-lg font-semibold">
          New key
        </h2>
        <p className="mb-3 text-sm text-slate-600">
          A key acts as one user, under their policies: pick a user, or name a new service user (no password; put it in groups on the Groups
          page). <code>read</code> lists and reads requests; <code>decide</code> approves, rejects, claims and releases. See{' '}
          <a className="underline" href="/api/v1/openapi.json">
            the OpenAPI document
          </a>
          .
        </p>
        <ApiKeyForm action={createApiKeyAction} people={people.map((p) => p.email)} />
      </section>

      <section aria-labelledby="keys-heading" className="space-y-3">
        <h2 id="keys-heading" className="text-lg font-semibold">
          {keys.length === 1 ? '1 key' : `${keys.length} keys`}
        </h2>
        {keys.length === 0 ? (
          <p className="text-sm text-slate-600">No keys yet.</p>
        ) : (
          <ApiKeysTable keys={keys} revoke={revokeApiKeyAction} />
        )}
      </section>
    </div>
  );
}
