import type { Metadata } from 'next';
import Link from 'next/link';
import { AdminsOnly } from '@/components/admin/admins-only';
import { WebhookForm } from '@/components/admin/webhook-form';
import { isAdmin } from '@/lib/auth/access';
import { getCurrentUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { APPROVAL_EVENT_TYPES } from '@/lib/outbox/emit';
import { listWebhooks } from '@/lib/webhooks/endpoints';
import { createWebhookAction } from './actions';

export const metadata: Metadata = { title: 'Webhooks' };
export const dynamic = 'force-dynamic';

export default async function WebhooksPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await getCurrentUser();
  if (!user || !isAdmin(user)) {
    return <AdminsOnly what="Webhooks are managed by admins." />;
  }
  const { deleted } = await searchParams;
  const webhooks = await listWebhooks(getDb(), user);

  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold tracking-tight">Webhooks</h1>
      {deleted === '1' && (
        <p role="status" className="rounded-md bg-green-50 px-3 py-2 text-sm text-green-800">
          Deleted the webhook.
        </p>
      )}

      <section aria-labelledby="webhooks-heading" className="space-y-3">
        <h2 id="webhooks-heading" className="text-lg font-semibold">
          {webhooks.length === 1 ? '1 webhook' : `${webhooks.length} webhooks`}
        </h2>
        <p className="text-sm text-slate-600">
          Countersign POSTs each event an endpoint subscribes to, signed with its secret, and retries with growing pauses until the endpoint
          answers 2xx. The README&apos;s Webhooks section shows the body, the headers and how to verify a signature.
        </p>
        {webhooks.length === 0 ? (
          <p className="text-sm text-slate-600">No webhooks yet.</p>
        ) : (
          <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
            {webhooks.map((webhook) => (
              <li
                key={webhook.id}
                data-testid="webhook"
                data-webhook-url={webhook.url}
                className="flex flex-wrap items-baseline gap-x-4 px-4 py-3"
              >
                <Link
                  href={`/admin/webhooks/${webhook.id}`}
                  className="break-all font-mono text-sm font-semibold text-brand-700 hover:underline"
                >
                  {webhook.url}
                </Link>
                <span data-testid="webhook-events" className="text-sm text-slate-800">
                  {webhook.events.join(', ')}
                </span>
                <span className="text-sm text-slate-600">{webhook.format === 'slack' ? 'Slack' : 'JSON'}</span>
                <span
                  data-testid="webhook-active"
                  className={`ml-auto rounded px-1.5 py-0.5 text-xs ${webhook.active ? 'bg-green-50 text-green-800' : 'bg-slate-100 text-slate-600'}`}
                >
                  {webhook.active ? 'active' : 'inactive'}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="new-webhook-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="new-webhook-heading" className="mb-3 text-lg font-semibold">
          New webhook
        </h2>
        <WebhookForm action={createWebhookAction} eventTypes={APPROVAL_EVENT_TYPES} />
      </section>
    </div>
  );
}
