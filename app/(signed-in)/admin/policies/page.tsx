import type { Metadata } from 'next';
import Link from 'next/link';
import { PolicyForm } from '@/components/admin/policy-form';
import { listPolicies } from '@/lib/approvals/policy/policies';
import { describePolicy } from '@/lib/approvals/policy/words';
import { isAdmin } from '@/lib/auth/access';
import { getCurrentUser } from '@/lib/auth/session';
import { NAME_PATTERN } from '@/lib/contract/approval';
import { getDb } from '@/lib/db';
import { createPolicyAction } from './actions';
import { AdminsOnly } from '@/components/admin/admins-only';

export const metadata: Metadata = { title: 'Policies' };
export const dynamic = 'force-dynamic';

export default async function PoliciesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await getCurrentUser();
  if (!user || !isAdmin(user)) {
    return <AdminsOnly what="Policies are managed by admins." />;
  }
  const { deleted } = await searchParams;
  // Only a policy name is echoed back: the link is anyone's to make.
  const deletedName = typeof deleted === 'string' && NAME_PATTERN.test(deleted) ? deleted : null;
  const db = getDb();
  const [policies, groups] = await Promise.all([listPolicies(db), db.group.findMany({ orderBy: { name: 'asc' }, select: { name: true } })]);

  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold tracking-tight">Policies</h1>
      {deletedName && (
        <p role="status" className="rounded-md bg-green-50 px-3 py-2 text-sm text-green-800">
          Deleted the policy <span className="font-mono">{deletedName}</span>.
        </p>
      )}

      <section aria-labelledby="policies-heading" className="space-y-3">
        <h2 id="policies-heading" className="text-lg font-semibold">
          {policies.length === 1 ? '1 policy' : `${policies.length} policies`}
        </h2>
        <p className="text-sm text-slate-600">
          A request names a policy to say who may decide it. Its own approvers and escalation replace the policy&apos;s; the quorum is the
          highest of the request&apos;s, the policy&apos;s and the amount rules that apply.
        </p>
        {policies.length === 0 && (
          <p className="text-sm text-slate-600">No policies yet: every request names its own approvers, or any reviewer decides.</p>
        )}
        <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
          {policies.map((policy) => (
            <li key={policy.name} data-testid="policy" data-policy={policy.name} className="space-y-1 px-4 py-3">
              <div className="flex flex-wrap items-baseline gap-x-3">
                <Link href={`/admin/policies/${policy.name}`} className="font-mono font-semibold text-brand-700 hover:underline">
                  {policy.name}
                </Link>
                {policy.description && <span className="text-sm text-slate-600">{policy.description}</span>}
                {policy.pendingRequests > 0 && (
                  <span className="ml-auto text-xs text-slate-500">
                    {policy.pendingRequests === 1 ? '1 pending request names it' : `${policy.pendingRequests} pending requests name it`}
                  </span>
                )}
              </div>
              <p data-testid="policy-words" className="text-sm text-slate-800">
                {describePolicy(policy)}
              </p>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="new-policy-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="new-policy-heading" className="mb-3 text-lg font-semibold">
          New policy
        </h2>
        <PolicyForm action={createPolicyAction} groups={groups.map((g) => g.name)} />
      </section>
    </div>
  );
}
