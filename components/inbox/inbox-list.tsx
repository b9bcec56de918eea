'use client';

// The inbox's list of requests. A client component: it owns selection,
// keyboard navigation and the bulk bar. Rows come from the server page as
// plain view objects (no task token, dates as ISO strings). Below the md
// breakpoint the table's rows become cards.
import { useRouter } from 'next/navigation';
import { useActionState, useEffect, useEffectEvent, useRef, useState, useSyncExternalStore } from 'react';
import { IDLE, type BulkActionState } from '@/lib/web/action-state';
import type { InboxViewRow } from '@/lib/approvals/reads/inbox/query';
import { ApprovalCount, UnreachableMark } from '../ui/quorum-marks';
import { DUE_SOON_RULE, formatMoney, type DeadlineLevel } from '@/lib/format';
import { BulkBar, BulkResults, DecideDialog, type DecisionKind } from './bulk-bar';
import { ShortcutsHelp } from './shortcuts-help';
import { Elapsed, RelativeDeadline, useDeadlineLevels } from '../ui/local-time';
import { RequestTitle } from '../ui/request-title';
import { ColumnHeaders, type ColumnHeading } from '../ui/table';

/** One row as the server page hands it over. */
export type InboxRow = InboxViewRow;

/** A bulk server action, passed in by the page. */
export type BulkAction = (previous: BulkActionState, formData: FormData) => Promise<BulkActionState>;

const ROW_EDGE: Record<DeadlineLevel, string> = {
  overdue: 'border-l-4 border-l-red-600',
  soon: 'border-l-4 border-l-amber-500',
  ok: 'border-l-4 border-l-transparent',
};
// Columns that fit any request, not only orders: its type and requester instead of a customer.
const COLUMNS: readonly ColumnHeading[] = [
  { label: 'Select', className: 'w-12 px-2 py-2', srOnly: true },
  { label: 'Request' },
  { label: 'Type' },
  { label: 'Requester' },
  { label: 'Amount', align: 'right' },
  { label: 'Progress' },
  { label: 'Age' },
  { label: 'Time left' },
  { label: 'Claimed by' },
];
const ROW_BACKGROUND: Record<DeadlineLevel, string> = { overdue: 'bg-red-50', soon: 'bg-amber-50', ok: '' };

/** Keys typed into these are text, not shortcuts. */
function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
}

const subscribeNothing = () => () => {};

const isPending = (row: InboxRow) => row.status === 'PENDING';

function MobileLabel({ children }: { children: string }) {
  return <span className="text-slate-500 md:hidden">{children}: </span>;
}

const NONE = <span className="text-slate-500">—</span>;

/** Approvals so far of a quorum above one ("1/2"), and the marks that say who may still decide. */
function Progress({ row }: { row: InboxRow }) {
  const count = row.quorum > 1 && <ApprovalCount row={row} testId="progress" className="tabular-nums" />;
  if (!count && !row.escalated && !row.unreachable) return NONE;
  return (
    <span className="inline-flex flex-wrap items-center gap-1.5">
      {count}
      {row.escalated && (
        <span
          data-testid="routing-escalated"
          title="Re-issued after its first window: the people it escalates to may decide it too."
          className="whitespace-nowrap rounded bg-orange-100 px-1.5 py-0.5 text-xs font-medium text-orange-900"
        >
          escalated
        </span>
      )}
      {row.unreachable && <UnreachableMark className="whitespace-nowrap text-xs font-medium" />}
    </span>
  );
}

export function InboxList({
  rows,
  now,
  me,
  approveAction,
  rejectAction,
}: {
  rows: InboxRow[];
  now: string;
  me: string;
  approveAction: BulkAction;
  rejectAction: BulkAction;
}) {
  const router = useRouter();
  // A closed request has no deadline to meet: it is never highlighted. Pending ones change level as time passes.
  const levels = useDeadlineLevels(
    now,
    rows.map((r) => (isPending(r) ? r : null)),
  );
  // One action state for both verbs: the form says which it is.
  const [state, dispatch, pending] = useActionState(async (previous: BulkActionState, formData: FormData): Promise<BulkActionState> => {
    const decision = formData.get('decision');
    if (decision === 'APPROVED') return approveAction(previous, formData);
    if (decision === 'REJECTED') return rejectAction(previous, formData);
    return { status: 'error', message: 'The form was sent without a decision. Reload the page and try again.' };
  }, IDLE);
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  // The keyboard cursor: the current row's id, and its index to fall back on when that row leaves the list.
  const [cursor, setCursor] = useState<{ id: string | null; index: number; shown: boolean }>({ id: null, index: 0, shown: false });
  const [helpOpen, setHelpOpen] = useState(false);
  const [deciding, setDeciding] = useState<{ kind: DecisionKind; ids: string[] } | null>(null);
  const rowRefs = useRef(new Map<string, HTMLTableRowElement>());
  const selectAllRef = useRef<HTMLInputElement>(null);
  // False while server-rendered and hydrating, true once the shortcuts listen (tests wait for it).
  const interactive = useSyncExternalStore(
    subscribeNothing,
    () => true,
    () => false,
  );

  const found = cursor.id === null ? -1 : rows.findIndex((r) => r.id === cursor.id);
  const currentIndex = rows.length === 0 ? -1 : found >= 0 ? found : Math.min(cursor.index, rows.length - 1);
  const current = currentIndex >= 0 ? rows[currentIndex] : undefined;
  // The row the shortcuts act on: none until the reviewer has moved to or clicked one.
  const active = cursor.shown ? current : undefined;
  // Only pending rows can be decided, so only they can be selected; and only
  // rows still listed count (a decided one leaves the pending list, and the selection with it).
  const selectable = rows.filter(isPending);
  const selectedIds = selectable.filter((r) => selected.has(r.id)).map((r) => r.id);
  const allSelected = selectable.length > 0 && selectedIds.length === selectable.length;

  useEffect(() => {
    if (selectAllRef.current) selectAllRef.current.indeterminate = selectedIds.length > 0 && !allSelected;
  }, [selectedIds.length, allSelected]);

  function toggle(id: string) {
    setSelected((previous) => {
      const next = new Set(previous);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  function moveTo(index: number) {
    const row = rows[index];
    if (!row) return;
    setCursor({ id: row.id, index, shown: true });
    const element = rowRefs.current.get(row.id);
    element?.focus({ preventScroll: true });
    element?.scrollIntoView({ block: 'nearest' });
  }

  function openDecision(kind: DecisionKind) {
    const ids = selectedIds.length > 0 ? selectedIds : active && isPending(active) ? [active.id] : [];
    if (ids.length > 0) setDeciding({ kind, ids });
  }

  const onShortcut = useEffectEvent((event: KeyboardEvent) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTextEntry(event.target) || document.querySelector('dialog[open]')) return;
    const inList = event.target instanceof Element && event.target.closest('[data-inbox-list]') !== null;
    const start = cursor.shown ? currentIndex : -1;
    switch (event.key) {
      case 'j':
        moveTo(Math.min(start + 1, rows.length - 1));
        break;
      case 'k':
        moveTo(Math.max(start - 1, 0));
        break;
      case 'ArrowDown':
      case 'ArrowUp':
        // Arrows move the cursor only inside the list; elsewhere they scroll the page.
        if (!inList) return;
        moveTo(event.key === 'ArrowDown' ? Math.min(start + 1, rows.length - 1) : Math.max(start - 1, 0));
        break;
      case 'Enter':
        // Enter on a link, button or checkbox keeps its own meaning.
        if (!(event.target instanceof HTMLTableRowElement) || !active) return;
        router.push(`/inbox/${active.id}`);
        break;
      case 'o':
        if (!active) return;
        router.push(`/inbox/${active.id}`);
        break;
      case 'x':
        if (!active || !isPending(active)) return;
        toggle(active.id);
        break;
      case 'a':
        openDecision('approve');
        break;
      case 'r':
        openDecision('reject');
        break;
      case '?':
        setHelpOpen(true);
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  // A decision took the focused row out of the list: focus the row that took its place, so the keys
  // go on working from there. Once per decision: its answer and the new rows may land in either order.
  const refocusPending = useRef(false);
  const refocus = useEffectEvent((): boolean => {
    if (!active || (document.activeElement && document.activeElement !== document.body)) return false;
    rowRefs.current.get(active.id)?.focus({ preventScroll: true });
    return true;
  });
  useEffect(() => {
    if (state.status === 'idle') return;
    refocusPending.current = !refocus();
  }, [state]);
  useEffect(() => {
    if (!refocusPending.current) return;
    refocus();
    refocusPending.current = false;
  }, [rows]);

  useEffect(() => {
    const listener = (event: KeyboardEvent) => onShortcut(event);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);

  const titles = new Map(rows.map((r) => [r.id, r.title]));
  const decideTargets = (deciding?.ids ?? []).flatMap((id) => {
    const title = titles.get(id);
    return title === undefined ? [] : [{ id, title }];
  });

  return (
    <div className="space-y-3" data-shortcuts-ready={interactive ? 'true' : undefined}>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
        <label className="inline-flex min-h-10 items-center gap-2 font-medium">
          <input
            ref={selectAllRef}
            type="checkbox"
            checked={allSelected}
            disabled={selectable.length === 0}
            onChange={() => setSelected(allSelected ? new Set() : new Set(selectable.map((r) => r.id)))}
            className="h-5 w-5"
          />
          Select all
        </label>
        <button
          type="button"
          onClick={() => setHelpOpen(true)}
          aria-keyshortcuts="?"
          className="ml-auto inline-flex min-h-10 items-center gap-2 rounded-md border border-slate-300 bg-white px-3 py-2 font-medium text-slate-700 hover:bg-slate-50"
        >
          Keyboard shortcuts <kbd className="rounded border border-slate-300 bg-slate-50 px-1.5 font-mono text-xs">?</kbd>
        </button>
        <p data-testid="deadline-legend" className="basis-full text-slate-600">
          <span className="rounded bg-red-100 px-1.5 py-0.5 font-medium text-red-900">overdue</span>: past its deadline ·{' '}
          <span className="rounded bg-amber-100 px-1.5 py-0.5 font-medium text-amber-900">due soon</span>:{' '}
          {DUE_SOON_RULE.replace(/^Due soon: /, '')}
        </p>
      </div>

      <div aria-live="polite" aria-atomic="false">
        <BulkResults state={state} />
      </div>

      {rows.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">No requests match.</p>
      ) : (
        <div data-inbox-list className="rounded-lg border border-slate-200 bg-white">
          <table className="block w-full text-left text-sm md:table">
            <caption className="sr-only">Approval requests. Press ? for keyboard shortcuts.</caption>
            <thead className="hidden bg-slate-50 text-xs uppercase tracking-wide text-slate-600 md:table-header-group">
              <ColumnHeaders columns={COLUMNS} className="px-4 py-2" />
            </thead>
            <tbody className="block divide-y divide-slate-100 md:table-row-group">
              {rows.map((a, index) => {
                const pending = isPending(a);
                const level = levels[index] ?? 'ok';
                const isCurrent = index === currentIndex;
                const isSelected = selected.has(a.id);
                // Roving tabindex: only the current row and its controls are in the tab order.
                const tabIndex = isCurrent ? 0 : -1;
                return (
                  <tr
                    key={a.id}
                    ref={(element) => {
                      if (element) rowRefs.current.set(a.id, element);
                      else rowRefs.current.delete(a.id);
                    }}
                    data-testid="approval-row"
                    data-id={a.id}
                    data-deadline={level}
                    data-current={isCurrent && cursor.shown ? 'true' : undefined}
                    aria-current={isCurrent && cursor.shown ? 'true' : undefined}
                    tabIndex={tabIndex}
                    onFocus={() => {
                      if (!isCurrent || !cursor.shown) setCursor({ id: a.id, index, shown: true });
                    }}
                    className={`flex scroll-my-24 flex-wrap items-start gap-x-2 px-2 py-2 md:table-row md:p-0 ${ROW_EDGE[level]} ${
                      isSelected ? 'bg-brand-50' : ROW_BACKGROUND[level]
                    } ${isCurrent && cursor.shown ? 'outline-2 -outline-offset-2 outline-brand-500 focus-visible:outline-[3px] focus-visible:outline-brand-700' : 'focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-brand-700'}`}
                  >
                    <td className="w-10 shrink-0 md:table-cell md:w-12 md:px-2 md:py-1 md:align-middle">
                      {pending && (
                        <label className="flex h-10 w-10 cursor-pointer items-center justify-center">
                          <input
                            type="checkbox"
                            checked={isSelected}
                            onChange={() => toggle(a.id)}
                            tabIndex={tabIndex}
                            className="h-5 w-5"
                          />
                          <span className="sr-only">Select {a.title}</span>
                        </label>
                      )}
                    </td>
                    <td className="min-w-0 flex-1 basis-[calc(100%-3rem)] [overflow-wrap:anywhere] md:table-cell md:px-4 md:py-3">
                      <RequestTitle
                        request={a}
                        tabIndex={tabIndex}
                        className="inline-flex min-h-10 items-center font-medium text-brand-700 hover:underline md:min-h-0"
                      />
                    </td>
                    <td data-testid="type" className="w-full pl-12 [overflow-wrap:anywhere] md:table-cell md:w-auto md:px-4 md:py-3">
                      <MobileLabel>Type</MobileLabel>
                      {a.workflowType ?? NONE}
                    </td>
                    <td data-testid="requester" className="w-full pl-12 [overflow-wrap:anywhere] md:table-cell md:w-auto md:px-4 md:py-3">
                      <MobileLabel>Requester</MobileLabel>
                      {a.requester ?? NONE}
                    </td>
                    <td data-testid="amount" className="w-full pl-12 tabular-nums md:table-cell md:w-auto md:px-4 md:py-3 md:text-right">
                      <MobileLabel>Amount</MobileLabel>
                      {formatMoney(a.amount, a.currency)}
                    </td>
                    <td className="w-full pl-12 md:table-cell md:w-auto md:px-4 md:py-3">
                      <MobileLabel>Progress</MobileLabel>
                      <Progress row={a} />
                    </td>
                    <td className="w-full pl-12 tabular-nums md:table-cell md:w-auto md:px-4 md:py-3">
                      <MobileLabel>Age</MobileLabel>
                      <Elapsed since={a.requestedAt} now={now} />
                    </td>
                    <td
                      data-testid="time-left"
                      title={pending ? DUE_SOON_RULE : undefined}
                      className="w-full pl-12 tabular-nums md:table-cell md:w-auto md:px-4 md:py-3"
                    >
                      <MobileLabel>Time left</MobileLabel>
                      {pending ? (
                        <RelativeDeadline deadline={a.deadline} requestedAt={a.requestedAt} now={now} />
                      ) : (
                        <span>
                          {a.status.toLowerCase()}
                          {a.decidedBy && ` by ${a.decidedBy}`}
                        </span>
                      )}
                    </td>
                    <td className="w-full pl-12 [overflow-wrap:anywhere] md:table-cell md:w-auto md:px-4 md:py-3">
                      <MobileLabel>Claimed by</MobileLabel>
                      <span data-testid="claimed-by">
                        {a.claimedBy === me ? 'you' : (a.claimedBy ?? <span className="text-slate-500">—</span>)}
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      {selectedIds.length > 0 && <BulkBar ids={selectedIds} dispatch={dispatch} pending={pending} onClear={() => setSelected(new Set())} />}

      <ShortcutsHelp open={helpOpen} onClose={() => setHelpOpen(false)} />
      <DecideDialog kind={deciding?.kind ?? null} targets={decideTargets} dispatch={dispatch} onClose={() => setDeciding(null)} />
    </div>
  );
}
