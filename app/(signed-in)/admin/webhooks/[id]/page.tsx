import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AdminsOnly } from '@/components/admin/admins-only';
import { DeleteWebhookForm, SendAgainForm } from '@/components/admin/webhook-delivery-controls';
import { WebhookForm } from '@/components/admin/webhook-form';
import { isAdmin } from '@/lib/auth/access';
import { getCurrentUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { formatTimestamp } from '@/lib/format';
import { APPROVAL_EVENT_TYPES } from '@/lib/outbox/emit';
import { DELIVERY_LOG_LIMIT, getWebhook, listWebhookDeliveries } from '@/lib/webhooks/endpoints';
import { deleteWebhookAction, sendDeliveryAgainAction, updateWebhookAction } from '../actions';

export const metadata: Metadata = { title: 'Webhook' };
export const dynamic = 'force-dynamic';

const STATUS_STYLE: Record<string, string> = {
  SENT: 'bg-green-50 text-green-800',
  PENDING: 'bg-amber-50 text-amber-900',
  FAILED: 'bg-red-50 text-red-800',
};

const cell = 'px-3 py-2 align-top';

export default async function WebhookPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await getCurrentUser();
  if (!user || !isAdmin(user)) {
    return <AdminsOnly what="Webhooks are managed by admins." />;
  }
  const { id } = await params;
  const db = getDb();
  const [webhook, deliveries] = await Promise.all([getWebhook(db, user, id), listWebhookDeliveries(db, user, id)]);
  if (!webhook) notFound();

  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link href="/admin/webhooks" className="text-brand-700 hover:underline">
          ← All webhooks
        </Link>
      </p>
      <h1 className="text-2xl font-semibold tracking-tight">
        Webhook <span className="break-all font-mono text-lg">{webhook.url}</span>
      </h1>
      <p className="text-sm text-slate-600">
        Created by {webhook.createdBy} on {formatTimestamp(webhook.createdAt)}. Its signing secret was shown once, when it was created.
      </p>

      <section aria-labelledby="edit-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="edit-heading" className="mb-3 text-lg font-semibold">
          Edit
        </h2>
        <WebhookForm action={updateWebhookAction} eventTypes={APPROVAL_EVENT_TYPES} webhook={webhook} />
      </section>

      <section aria-labelledby="log-heading" className="space-y-2">
        <h2 id="log-heading" className="text-lg font-semibold">
          Deliveries
        </h2>
        <p className="text-sm text-slate-600">
          The newest {DELIVERY_LOG_LIMIT}. A receiver dedupes by the delivery id (Countersign-Delivery).
        </p>
        {deliveries.length === 0 ? (
          <p className="text-sm text-slate-600">No deliveries yet.</p>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="min-w-full text-sm">
              <thead className="bg-slate-50 text-left text-xs uppercase text-slate-600">
                <tr>
                  {['Delivery', 'Event', 'Status', 'Code', 'Attempts', 'Last error', 'Created', 'Sent', ''].map((heading, i) => (
                    <th key={heading || i} scope="col" className={cell}>
                      {heading || <span className="sr-only">Actions</span>}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {deliveries.map((delivery) => (
                  <tr key={delivery.id} data-testid="delivery" data-delivery={delivery.id}>
                    <td className={`${cell} font-mono text-xs`}>{delivery.id}</td>
                    <td className={cell}>{delivery.event}</td>
                    <td className={cell}>
                      <span
                        data-testid="delivery-status"
                        className={`rounded px-1.5 py-0.5 text-xs ${STATUS_STYLE[delivery.status] ?? ''}`}
                      >
                        {delivery.status}
                      </span>
                    </td>
                    <td data-testid="delivery-code" className={cell}>
                      {delivery.lastStatusCode ?? '—'}
                    </td>
                    <td data-testid="delivery-attempts" className={cell}>
                      {delivery.attempts}
                    </td>
                    <td className={`${cell} max-w-xs break-words text-xs text-slate-700`}>{delivery.lastError ?? ''}</td>
                    <td className={`${cell} whitespace-nowrap`}>{formatTimestamp(delivery.createdAt)}</td>
                    <td className={`${cell} whitespace-nowrap`}>{delivery.sentAt ? formatTimestamp(delivery.sentAt) : '—'}</td>
                    <td className={cell}>
                      {delivery.status !== 'PENDING' && (
                        <SendAgainForm action={sendDeliveryAgainAction} webhookId={webhook.id} deliveryId={delivery.id} />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="delete-heading">
        <h2 id="delete-heading" className="sr-only">
          Delete
        </h2>
        <DeleteWebhookForm action={deleteWebhookAction} webhookId={webhook.id} url={webhook.url} />
      </section>
    </div>
  );
}
