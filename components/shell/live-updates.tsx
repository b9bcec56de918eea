'use client';

// Live updates in the browser: listens to the browser's shared live-update
// stream (live-stream.ts) and re-renders the current page from the server
// (router.refresh) when a request changes, so a new request, a claim or a
// decision made elsewhere shows up without a reload. Bursts are coalesced, the
// row a reviewer is reading stays where it is, and a hidden tab only notes that
// it is behind, catching up once when it is shown.
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useLayoutEffect, useRef, useState, useTransition } from 'react';
import { listenToLiveUpdates, type LiveConnection, type LiveRole } from './live-stream';

/** Rows whose place on screen is kept across a refresh (they carry a stable data-id). */
const ROW_SELECTOR = '[data-testid="approval-row"][data-id]';
/** Events this close together make one refresh. */
const GATHER_MS = 50;
/** At most one refresh per this interval, so a burst costs a few renders, not hundreds. */
const MIN_INTERVAL_MS = 500;
/** A refresh that has not landed by then is given up on, so updates never stall. */
const REFRESH_STUCK_MS = 10_000;
/** Screen readers hear at most one "updated" per this interval. */
const ANNOUNCE_INTERVAL_MS = 15_000;

interface Anchor {
  id: string;
  top: number;
  /** Focus inside the row: -1 the row itself, else the index among its focusable elements. */
  focus: number | null;
}

const FOCUSABLE = 'a[href], button, input, select, textarea, [tabindex]';

/** The request a detail page shows (/inbox/<id>), if this is one. */
function detailId(pathname: string): string | null {
  return /^\/inbox\/([^/]+)$/.exec(pathname)?.[1] ?? null;
}

function describePage(pathname: string): string {
  if (pathname === '/inbox') return 'Inbox updated';
  if (detailId(pathname)) return 'Request updated';
  if (pathname.startsWith('/admin')) return 'Admin queue updated';
  return 'Page updated';
}

/**
 * Where the rows the reviewer is reading are on screen: the focused row first,
 * then the visible ones top to bottom (any of them may be gone after the refresh).
 * Null at the top of the page with nothing focused there: new rows then simply appear.
 */
function captureAnchors(): Anchor[] | null {
  const rows = document.querySelectorAll<HTMLElement>(ROW_SELECTOR);
  if (rows.length === 0) return null;
  const viewport = window.innerHeight;
  const anchors: Anchor[] = [];
  const active = document.activeElement;
  const focusedRow = active instanceof HTMLElement ? active.closest<HTMLElement>(ROW_SELECTOR) : null;
  if (focusedRow && active instanceof HTMLElement) {
    const box = focusedRow.getBoundingClientRect();
    if (box.bottom > 0 && box.top < viewport) {
      const focus = active === focusedRow ? -1 : Array.from(focusedRow.querySelectorAll(FOCUSABLE)).indexOf(active);
      anchors.push({ id: focusedRow.dataset.id ?? '', top: box.top, focus });
    }
  }
  if (anchors.length === 0 && window.scrollY <= 0) return null;
  for (const row of rows) {
    const box = row.getBoundingClientRect();
    if (box.bottom <= 0) continue;
    if (box.top >= viewport || anchors.length >= 20) break;
    anchors.push({ id: row.dataset.id ?? '', top: box.top, focus: null });
  }
  return anchors;
}

/** Scrolls so the first anchor still on the page is back where it was, and gives back focus a re-render took. */
function restoreAnchors(anchors: Anchor[]): void {
  for (const anchor of anchors) {
    const row = document.querySelector<HTMLElement>(`[data-testid="approval-row"][data-id="${CSS.escape(anchor.id)}"]`);
    if (!row) continue;
    // Chromium's scroll anchoring may have done this already; then the difference is 0.
    const delta = row.getBoundingClientRect().top - anchor.top;
    if (Math.abs(delta) >= 1) window.scrollBy({ top: delta, behavior: 'instant' });
    if (anchor.focus !== null && (document.activeElement === null || document.activeElement === document.body)) {
      const target = anchor.focus === -1 ? row : row.querySelectorAll<HTMLElement>(FOCUSABLE)[anchor.focus];
      target?.focus({ preventScroll: true });
    }
    return;
  }
}

export function LiveUpdates() {
  const router = useRouter();
  const pathname = usePathname();
  const [refreshing, startTransition] = useTransition();
  const [connection, setConnection] = useState<LiveConnection>('connecting');
  const [role, setRole] = useState<LiveRole | null>(null);
  /** Hidden, and changes went by: the tab refreshes once it is shown. */
  const [stale, setStale] = useState(false);
  const [message, setMessage] = useState('');

  const pathnameRef = useRef(pathname);
  /** A refresh was started and has not landed yet. */
  const inFlight = useRef(false);
  const anchors = useRef<Anchor[] | null>(null);
  /** Set by the stream's effect: a refresh landed (or was given up on). */
  const refreshLanded = useRef<() => void>(() => {});
  const lastAnnounced = useRef(0);
  const announceTimer = useRef<number | undefined>(undefined);

  useEffect(() => {
    pathnameRef.current = pathname;
  }, [pathname]);

  // The stream, and the refresh scheduling: one per mounted layout, not per page.
  useEffect(() => {
    let refreshTimer: number | undefined;
    let stuckTimer: number | undefined;
    /** Something changed while a refresh was under way, or while the tab was hidden. */
    let dirty = false;
    let lastRefresh = 0;
    let lastDuration = 0;

    const refresh = () => {
      refreshTimer = undefined;
      if (document.visibilityState === 'hidden') {
        dirty = true; // caught up when the tab is shown
        setStale(true);
        return;
      }
      if (inFlight.current) {
        dirty = true; // one more when this one lands
        return;
      }
      dirty = false;
      setStale(false);
      lastRefresh = Date.now();
      inFlight.current = true;
      anchors.current = captureAnchors();
      startTransition(() => router.refresh());
      window.clearTimeout(stuckTimer);
      stuckTimer = window.setTimeout(() => refreshLanded.current(), REFRESH_STUCK_MS);
    };

    const schedule = () => {
      if (refreshTimer !== undefined) return; // the pending refresh covers this change too
      // A busy queue must not keep the server rendering back to back: wait at
      // least twice as long as the last refresh took (and at least 500 ms).
      const wait = Math.max(GATHER_MS, lastRefresh + Math.max(MIN_INTERVAL_MS, 2 * lastDuration) - Date.now());
      refreshTimer = window.setTimeout(refresh, wait);
    };

    refreshLanded.current = () => {
      window.clearTimeout(stuckTimer);
      if (inFlight.current) lastDuration = Date.now() - lastRefresh;
      inFlight.current = false;
      if (dirty) schedule();
    };

    const onVisible = () => {
      if (document.visibilityState === 'visible' && dirty) schedule();
    };
    document.addEventListener('visibilitychange', onVisible);

    const stopListening = listenToLiveUpdates({
      event(event) {
        const shown = detailId(pathnameRef.current);
        // A request's page changes only with that request.
        if (event.type === 'change' && shown !== null && shown !== event.id) return;
        // A hidden tab costs nothing: no timer, no render from the server, until it is shown.
        if (document.visibilityState === 'hidden') {
          dirty = true;
          setStale(true);
          return;
        }
        schedule();
      },
      connection: setConnection,
      role: setRole,
    });

    return () => {
      stopListening();
      document.removeEventListener('visibilitychange', onVisible);
      for (const timer of [refreshTimer, stuckTimer]) window.clearTimeout(timer);
      refreshLanded.current = () => {};
      inFlight.current = false;
    };
  }, [router]);

  // While a refresh is under way the reviewer may scroll or move focus: measure again, so the restore keeps that.
  useEffect(() => {
    if (!refreshing) return;
    let frame: number | undefined;
    const remeasure = () => {
      if (frame !== undefined) return;
      frame = window.requestAnimationFrame(() => {
        frame = undefined;
        if (inFlight.current) anchors.current = captureAnchors();
      });
    };
    window.addEventListener('scroll', remeasure, { passive: true });
    document.addEventListener('focusin', remeasure);
    return () => {
      window.removeEventListener('scroll', remeasure);
      document.removeEventListener('focusin', remeasure);
      if (frame !== undefined) window.cancelAnimationFrame(frame);
    };
  }, [refreshing]);

  // The refresh has landed (committed, not yet painted): put the reviewer's rows back, then tell screen readers.
  useLayoutEffect(() => {
    if (refreshing || !inFlight.current) return;
    const kept = anchors.current;
    anchors.current = null;
    if (kept) restoreAnchors(kept);
    refreshLanded.current();

    window.clearTimeout(announceTimer.current);
    const text = describePage(pathnameRef.current);
    const wait = Math.max(0, lastAnnounced.current + ANNOUNCE_INTERVAL_MS - Date.now());
    announceTimer.current = window.setTimeout(() => {
      lastAnnounced.current = Date.now();
      // The same words again are not read again: alternate a trailing no-break space.
      setMessage((previous) => (previous === text ? `${text}\u00a0` : text));
    }, wait);
  }, [refreshing]);

  useEffect(() => () => window.clearTimeout(announceTimer.current), []);

  return (
    <div
      role="status"
      aria-live="polite"
      aria-atomic="true"
      data-testid="live-updates"
      data-connection={connection}
      data-live-role={role ?? undefined}
      data-stale={stale}
      className="sr-only"
    >
      {message}
    </div>
  );
}
