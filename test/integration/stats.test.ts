// The admin queue's figures, on rows of this file's own (the database is
// shared: every figure is read scoped to this run's workflow-id prefix, at a
// fixed "now", so other rows and the clock cannot move them). Pending rows
// belong to real waiting workflows, so no reconciler closes them meanwhile;
// closed rows are written directly, with the timestamps each figure needs.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { AgeHistogram } from '../../components/charts/age-histogram';
import { DecisionTimeChart } from '../../components/charts/decision-time-chart';
import { ExpiryRateChart } from '../../components/charts/expiry-rate-chart';
import { ReviewerLoadChart } from '../../components/charts/reviewer-load-chart';
import { APPROVAL_ACTIVITY_ID } from '../../lib/contract/approval';
import {
  countQueue,
  dailyFigures,
  loadAdminStats,
  pendingAgeHistogram,
  reviewerLoad,
  type AdminStats,
  type StatsScope,
} from '../../lib/approvals/reads/stats';
import { newOrder, openServices, startPendingOrder, withWorker, type Services } from './helpers';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** A Wednesday afternoon: today began at 00:00 UTC, the week on Monday the 9th. */
const NOW = new Date('2025-06-11T15:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const at = (iso: string) => new Date(iso);

const run = randomBytes(6).toString('hex');
const scope: StatsScope = { workflowIdPrefix: `order-stats-${run}-` };
const ana = `ana-${run}@example.com`;
const ben = `ben-${run}@example.com`;

/** Pending: one per age bucket; three overdue, two re-issued, three claimed. */
const PENDING = [
  { age: 30 * MINUTE, deadline: ago(-HOUR), attempt: 1, claimedBy: ana },
  { age: 2 * HOUR, deadline: ago(10 * MINUTE), attempt: 1, claimedBy: ana },
  { age: 6 * HOUR, deadline: ago(-5 * HOUR), attempt: 1, claimedBy: ben },
  { age: 18 * HOUR, deadline: ago(HOUR), attempt: 1, claimedBy: null },
  { age: 30 * HOUR, deadline: ago(-DAY), attempt: 2, claimedBy: null },
  { age: 3 * DAY, deadline: ago(2 * DAY), attempt: 2, claimedBy: null },
];

type Closed = 'APPROVED' | 'REJECTED' | 'EXPIRED' | 'CANCELLED' | 'TERMINATED';

/** Closed: today, yesterday (this week), last Friday (last week, within 7 and 14 days), and 3 weeks ago. */
const CLOSED: { status: Closed; requestedAt: Date; decidedAt: Date; decidedBy?: string }[] = [
  { status: 'APPROVED', requestedAt: ago(3 * HOUR), decidedAt: ago(2 * HOUR), decidedBy: ana }, // 1h
  { status: 'REJECTED', requestedAt: ago(5 * HOUR), decidedAt: ago(HOUR), decidedBy: ben }, // 4h
  { status: 'APPROVED', requestedAt: ago(40 * MINUTE), decidedAt: ago(30 * MINUTE), decidedBy: ana }, // 10m
  { status: 'EXPIRED', requestedAt: ago(DAY), decidedAt: ago(20 * MINUTE) },
  { status: 'CANCELLED', requestedAt: ago(2 * HOUR), decidedAt: ago(10 * MINUTE) },
  { status: 'APPROVED', requestedAt: at('2025-06-10T10:00:00Z'), decidedAt: at('2025-06-10T12:00:00Z'), decidedBy: ben }, // 2h
  { status: 'EXPIRED', requestedAt: at('2025-06-09T13:00:00Z'), decidedAt: at('2025-06-10T13:00:00Z') },
  { status: 'TERMINATED', requestedAt: at('2025-06-10T08:00:00Z'), decidedAt: at('2025-06-10T09:00:00Z') },
  { status: 'REJECTED', requestedAt: at('2025-06-06T09:30:00Z'), decidedAt: at('2025-06-06T10:00:00Z'), decidedBy: ana }, // 30m
  { status: 'EXPIRED', requestedAt: at('2025-06-05T11:00:00Z'), decidedAt: at('2025-06-06T11:00:00Z') },
  { status: 'APPROVED', requestedAt: at('2025-05-20T09:00:00Z'), decidedAt: at('2025-05-20T10:00:00Z'), decidedBy: ana },
];

/** The four charts as the admin page renders them, as HTML. */
function charts(stats: AdminStats): string[] {
  return [
    renderToStaticMarkup(createElement(AgeHistogram, { buckets: stats.ages })),
    renderToStaticMarkup(createElement(DecisionTimeChart, { days: stats.days })),
    renderToStaticMarkup(createElement(ExpiryRateChart, { days: stats.days })),
    renderToStaticMarkup(createElement(ReviewerLoadChart, { reviewers: stats.reviewers })),
  ];
}

describe('admin queue statistics', { timeout: 120_000 }, () => {
  let services: Services;

  before(async () => {
    services = await openServices();
    const { db } = services;
    // The workflows wait for the whole test (a long window), each with its own pending row.
    await withWorker(
      services,
      async (taskQueue) => {
        const started = await Promise.all(
          PENDING.map((_, i) => startPendingOrder(services, taskQueue, newOrder({ id: `stats-${run}-p${i}` }))),
        );
        await Promise.all(
          started.map(({ pending }, i) => {
            const p = PENDING[i];
            if (!p) throw new Error('unreachable');
            return db.approvalRequest.update({
              where: { id: pending.id },
              data: {
                requestedAt: ago(p.age),
                deadline: p.deadline,
                attempt: p.attempt,
                claimedBy: p.claimedBy,
                claimedAt: p.claimedBy ? ago(5 * MINUTE) : null,
              },
            });
          }),
        );
      },
      { approvalWindowMs: 10 * 60_000 },
    );
    await db.approvalRequest.createMany({
      data: CLOSED.map((c, i) => ({
        workflowId: `order-stats-${run}-c${i}`,
        runId: randomUUID(),
        activityId: APPROVAL_ACTIVITY_ID,
        attempt: 1,
        request: { title: `Stats ${run} closed ${i}` },
        title: `Stats ${run} closed ${i}`,
        status: c.status,
        requestedAt: c.requestedAt,
        deadline: new Date(c.requestedAt.getTime() + DAY),
        decidedAt: c.decidedAt,
        decidedBy: c.decidedBy ?? null,
      })),
    });
  });

  after(async () => {
    if (!services) return;
    // The rows written here directly go; the pending ones keep their (append-only) audit trail, so they
    // stay, and close() terminates their workflows (a reconciler then marks them TERMINATED).
    await services.db.$executeRaw`
      DELETE FROM approval_requests r WHERE starts_with(r.workflow_id, ${scope.workflowIdPrefix})
        AND NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.approval_request_id = r.id)`;
    await services.close();
  });

  test('counts: pending, overdue, re-issued; decided (approved or rejected) today and this week; expired, cancelled and terminated apart', async () => {
    assert.deepEqual(await countQueue(services.db, NOW, scope), {
      pending: 6,
      overdue: 3,
      reissued: 2,
      decided: { today: 3, week: 4 },
      expired: { today: 1, week: 2 },
      cancelled: { today: 1, week: 1 },
      terminated: { today: 0, week: 1 },
    });
  });

  test('a week starts on Monday (UTC): on Monday morning, last Friday is last week and Monday is both today and this week', async () => {
    const monday = new Date('2025-06-09T06:00:00.000Z');
    const counts = await countQueue(services.db, monday, scope);
    // Nothing of ours closed between Monday 00:00 and 06:00; Friday's rows do not count.
    assert.deepEqual(
      [counts.decided, counts.expired],
      [
        { today: 0, week: 0 },
        { today: 0, week: 0 },
      ],
    );
  });

  test("unscoped, the counts cover every row: at least this run's", async () => {
    const all = await countQueue(services.db, NOW);
    assert.ok(all.pending >= 6 && all.overdue >= 3 && all.reissued >= 2, JSON.stringify(all));
  });

  test('the age histogram puts each pending request in its bucket', async () => {
    assert.deepEqual(await pendingAgeHistogram(services.db, NOW, scope), [
      { label: '< 1h', count: 1 },
      { label: '1–4h', count: 1 },
      { label: '4–12h', count: 1 },
      { label: '12–24h', count: 1 },
      { label: '1–2d', count: 1 },
      { label: '> 2d', count: 1 },
    ]);
  });

  test('per day over 14 days: time to decision (median, p90 by percentile_cont) and the expiry rate, every day present', async () => {
    const days = await dailyFigures(services.db, NOW, 14, scope);
    assert.equal(days.length, 14);
    assert.equal(days[0]?.day, '2025-05-29');
    assert.equal(days[13]?.day, '2025-06-11');
    const byDay = new Map(days.map((d) => [d.day, d]));
    // Today: decisions took 10m, 1h and 4h (p90 interpolates 80% of the way from 1h to 4h); one of five closed requests expired.
    const today = byDay.get('2025-06-11');
    assert.deepEqual(
      { ...today, p90Seconds: undefined },
      { day: '2025-06-11', closed: 5, expired: 1, decided: 3, expiryRate: 0.2, medianSeconds: 3600, p90Seconds: undefined },
    );
    assert.ok(Math.abs((today?.p90Seconds ?? 0) - 12_240) < 1e-6, `p90 ${today?.p90Seconds}`);
    assert.deepEqual(byDay.get('2025-06-10'), {
      day: '2025-06-10',
      closed: 3,
      expired: 1,
      decided: 1,
      expiryRate: 1 / 3,
      medianSeconds: 7200,
      p90Seconds: 7200,
    });
    assert.deepEqual(byDay.get('2025-06-06'), {
      day: '2025-06-06',
      closed: 2,
      expired: 1,
      decided: 1,
      expiryRate: 0.5,
      medianSeconds: 1800,
      p90Seconds: 1800,
    });
    const quiet = days.filter((d) => !['2025-06-11', '2025-06-10', '2025-06-06'].includes(d.day));
    assert.equal(quiet.length, 11);
    for (const d of quiet)
      assert.deepEqual(d, { day: d.day, closed: 0, expired: 0, decided: 0, expiryRate: null, medianSeconds: null, p90Seconds: null });
  });

  test('load per reviewer: open claims and decisions of the last 7 days, busiest first', async () => {
    assert.deepEqual(await reviewerLoad(services.db, NOW, 10, scope), [
      { reviewer: ana, openClaims: 2, decisions: 3 },
      { reviewer: ben, openClaims: 1, decisions: 2 },
    ]);
  });

  test('the four charts draw accessible SVG from the figures', async () => {
    const stats = await loadAdminStats(services.db, NOW, scope);
    const [age, time, expiry, load] = charts(stats);
    for (const chart of [age, time, expiry, load]) {
      assert.match(chart ?? '', /<svg role="img" aria-labelledby="[\w-]+-title" aria-describedby="[\w-]+-desc"/);
      assert.match(chart ?? '', /<div data-testid="chart-data" class="sr-only"><table>/);
      assert.doesNotMatch(chart ?? '', /No data yet/);
    }
    assert.match(age ?? '', /<title id="age-title">Age of pending requests: 6 pending; &lt; 1h: 1, 1–4h: 1/);
    assert.equal((age?.match(/<rect /g) ?? []).length, 6);
    assert.match(time ?? '', /on 2025-06-11 the median was 1h and the 90th percentile 3h 24m/);
    assert.match(expiry ?? '', /3 of 10 closed requests expired \(30%\)/);
    assert.match(load ?? '', new RegExp(`${ana.replace(/[.]/g, '\\.')}: 2 open, 3 decided`));
  });

  test('with nothing to show, every chart says "no data yet" instead of drawing empty axes', async () => {
    const stats = await loadAdminStats(services.db, NOW, { workflowIdPrefix: `order-stats-none-${randomUUID()}` });
    assert.deepEqual(stats.counts.pending, 0);
    for (const chart of charts(stats)) {
      assert.match(chart, /No data yet: /);
      assert.doesNotMatch(chart, /<svg/);
    }
  });
});
