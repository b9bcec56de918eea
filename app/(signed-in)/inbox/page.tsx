import type { Metadata } from 'next';
import { InboxFilters } from '@/components/inbox/inbox-filters';
import { InboxList, type InboxRow } from '@/components/inbox/inbox-list';
import { Pager } from '@/components/inbox/pager';
import { requireActor } from '@/lib/approvals/policy/actor';
import { listInboxChoices } from '@/lib/approvals/reads/inbox/choices';
import { listInbox } from '@/lib/approvals/reads/inbox/list';
import { inboxHref, parseInboxQuery } from '@/lib/approvals/reads/inbox/params';
import { DEFAULT_DIR, totalText, type InboxPage, type InboxQuery } from '@/lib/approvals/reads/inbox/query';
import { requireUser } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { bulkApproveAction, bulkRejectAction } from './bulk-actions';

export const metadata: Metadata = { title: 'Inbox' };
export const dynamic = 'force-dynamic';

const ORDER_WORDS: Record<InboxQuery['sort'], Record<InboxQuery['dir'], string>> = {
  deadline: { asc: 'soonest deadline first', desc: 'latest deadline first' },
  age: { desc: 'oldest first', asc: 'newest first' },
  amount: { desc: 'largest amount first', asc: 'smallest amount first' },
};

function describe(query: InboxQuery, page: InboxPage): string {
  // Counted up to a cap: "10,000+" past it.
  const count = totalText(page);
  const what = query.status === 'all' ? (page.total === 1 && page.totalExact ? 'request' : 'requests') : query.status;
  const only = [query.waiting && 'waiting on you', query.overdue && 'overdue'].filter(Boolean);
  return `${count} ${what}${only.map((o) => `, ${o}`).join('')} · ${ORDER_WORDS[query.sort][query.dir]}`;
}

export default async function InboxPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { query, issues } = parseInboxQuery(await searchParams);
  const user = await requireUser();
  const db = getDb();
  // Once per render: "for me" and "waiting on me" read the person's groups and who delegates to them.
  const actor = await requireActor({ db }, user);
  const now = new Date();
  const [page, choices] = await Promise.all([listInbox(db, query, actor, now), listInboxChoices(db)]);
  const rows: InboxRow[] = page.rows;
  // Remounts the form when the URL's filters change (Clear, back/forward), so it shows what is applied.
  const filtersKey = inboxHref(query);
  return (
    <>
      <div className="mb-4 flex items-baseline justify-between">
        <h1 className="text-2xl font-semibold tracking-tight">Inbox</h1>
        <p data-testid="inbox-total" className="text-sm text-slate-600">
          {describe(query, page)}
        </p>
      </div>
      <InboxFilters
        key={filtersKey}
        query={query}
        dirParam={query.dir === DEFAULT_DIR[query.sort] ? '' : query.dir}
        issues={issues}
        choices={choices}
        scopeHrefs={{ me: inboxHref({ ...query, scope: 'me' }), all: inboxHref({ ...query, scope: 'all' }) }}
      />
      <InboxList rows={rows} now={now.toISOString()} me={user.email} approveAction={bulkApproveAction} rejectAction={bulkRejectAction} />
      <Pager
        label="Inbox pages"
        prevHref={page.prevCursor ? inboxHref(query, { before: page.prevCursor }) : null}
        nextHref={page.nextCursor ? inboxHref(query, { after: page.nextCursor }) : null}
        firstHref={query.after || query.before ? inboxHref(query) : null}
      />
    </>
  );
}
