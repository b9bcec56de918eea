import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { DeletePolicyForm } from '@/components/admin/delete-policy-form';
import { PolicyForm } from '@/components/admin/policy-form';
import { getPolicy, policyFormValues } from '@/lib/approvals/policy/policies';
import { describePolicy } from '@/lib/approvals/policy/words';
import { isAdmin } from '@/lib/auth/access';
import { getCurrentUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { deletePolicyAction, updatePolicyAction } from '../actions';
import { AdminsOnly } from '@/components/admin/admins-only';

export const metadata: Metadata = { title: 'Policy' };
export const dynamic = 'force-dynamic';

export default async function PolicyPage({ params }: { params: Promise<{ name: string }> }) {
  const user = await getCurrentUser();
  if (!user || !isAdmin(user)) {
    return <AdminsOnly what="Policies are managed by admins." />;
  }
  const { name } = await params;
  const db = getDb();
  const [policy, groups, pendingRequests] = await Promise.all([
    getPolicy(db, name),
    db.group.findMany({ orderBy: { name: 'asc' }, select: { name: true } }),
    db.approvalRequest.count({ where: { status: 'PENDING', policyName: name } }),
  ]);
  if (!policy) notFound();

  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link href="/admin/policies" className="text-brand-700 hover:underline">
          ← All policies
        </Link>
      </p>
      <h1 className="text-2xl font-semibold tracking-tight">
        Policy <span className="font-mono">{policy.name}</span>
      </h1>
      <section aria-labelledby="now-heading" className="space-y-1">
        <h2 id="now-heading" className="text-lg font-semibold">
          Now
        </h2>
        <p data-testid="policy-words" className="text-slate-800">
          {describePolicy(policy)}
        </p>
        <p className="text-sm text-slate-600">
          A change applies to requests that arrive from then on, and to pending ones at their next window.{' '}
          {pendingRequests === 1 ? '1 pending request names it.' : `${pendingRequests} pending requests name it.`}
        </p>
      </section>

      <section aria-labelledby="edit-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="edit-heading" className="mb-3 text-lg font-semibold">
          Edit
        </h2>
        <PolicyForm action={updatePolicyAction} groups={groups.map((g) => g.name)} policy={policyFormValues(policy)} />
      </section>

      <section aria-labelledby="delete-heading" className="space-y-2">
        <h2 id="delete-heading" className="sr-only">
          Delete
        </h2>
        <DeletePolicyForm name={policy.name} pendingRequests={pendingRequests} action={deletePolicyAction} />
      </section>
    </div>
  );
}
