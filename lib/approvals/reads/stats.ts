// The admin queue's figures: counts at a glance, and the data behind its
// charts. Each function is one SQL query over approval_requests that the
// indexes on (status, deadline, id), (status, decided_at) and (claimed_by,
// status) answer. Days and weeks are UTC days and ISO weeks (from Monday);
// closed requests count up to `now`, so a figure for a past moment holds.
import { Prisma } from '@prisma/client';
import type { Db } from '../../db';

/** Narrows every figure to some requests (tests use it to count only their own rows). */
export interface StatsScope {
  /** Only requests whose workflow id starts with this. */
  workflowIdPrefix?: string;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Statuses of a closed request: the (status, decided_at) index is searched once per status. */
const CLOSED = Prisma.sql`('APPROVED', 'REJECTED', 'EXPIRED', 'CANCELLED', 'TERMINATED')`;

function scoped(scope: StatsScope | undefined): Prisma.Sql {
  return scope?.workflowIdPrefix ? Prisma.sql`AND starts_with(workflow_id, ${scope.workflowIdPrefix})` : Prisma.empty;
}

function startOfUtcDay(now: Date): Date {
  const day = new Date(now);
  day.setUTCHours(0, 0, 0, 0);
  return day;
}

/** Monday 00:00 UTC of `now`'s week. */
function startOfUtcWeek(now: Date): Date {
  const day = startOfUtcDay(now);
  return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY_MS);
}

export interface PeriodCounts {
  today: number;
  week: number;
}

export interface QueueCounts {
  pending: number;
  /** Pending past their deadline. */
  overdue: number;
  /** Pending in a second or later window (escalated). */
  reissued: number;
  /** Approved or rejected. */
  decided: PeriodCounts;
  expired: PeriodCounts;
  cancelled: PeriodCounts;
  terminated: PeriodCounts;
}

interface CountsRow {
  pending: number;
  overdue: number;
  reissued: number;
  decided_today: number;
  decided_week: number;
  expired_today: number;
  expired_week: number;
  cancelled_today: number;
  cancelled_week: number;
  terminated_today: number;
  terminated_week: number;
}

/** Every count on the admin queue, in one query. */
export async function countQueue(db: Db, now = new Date(), scope?: StatsScope): Promise<QueueCounts> {
  const today = startOfUtcDay(now);
  const week = startOfUtcWeek(now);
  const rows = await db.$queryRaw<CountsRow[]>`
    SELECT
      count(*) FILTER (WHERE status = 'PENDING')::int AS pending,
      count(*) FILTER (WHERE status = 'PENDING' AND deadline < ${now})::int AS overdue,
      count(*) FILTER (WHERE status = 'PENDING' AND attempt > 1)::int AS reissued,
      count(*) FILTER (WHERE status IN ('APPROVED', 'REJECTED') AND decided_at >= ${today})::int AS decided_today,
      count(*) FILTER (WHERE status IN ('APPROVED', 'REJECTED'))::int AS decided_week,
      count(*) FILTER (WHERE status = 'EXPIRED' AND decided_at >= ${today})::int AS expired_today,
      count(*) FILTER (WHERE status = 'EXPIRED')::int AS expired_week,
      count(*) FILTER (WHERE status = 'CANCELLED' AND decided_at >= ${today})::int AS cancelled_today,
      count(*) FILTER (WHERE status = 'CANCELLED')::int AS cancelled_week,
      count(*) FILTER (WHERE status = 'TERMINATED' AND decided_at >= ${today})::int AS terminated_today,
      count(*) FILTER (WHERE status = 'TERMINATED')::int AS terminated_week
    FROM approval_requests
    WHERE (status = 'PENDING' OR (status IN ${CLOSED} AND decided_at >= ${week} AND decided_at <= ${now})) ${scoped(scope)}`;
  const row = rows[0];
  if (!row) throw new Error('an aggregate query returned no row');
  return {
    pending: row.pending,
    overdue: row.overdue,
    reissued: row.reissued,
    decided: { today: row.decided_today, week: row.decided_week },
    expired: { today: row.expired_today, week: row.expired_week },
    cancelled: { today: row.cancelled_today, week: row.cancelled_week },
    terminated: { today: row.terminated_today, week: row.terminated_week },
  };
}

/** The age histogram's buckets by their lower bound, the age since the request was (re-)issued; an age exactly on a bound counts in the younger bucket. */
const AGE_BUCKETS = [
  { label: '< 1h', fromMs: 0 },
  { label: '1–4h', fromMs: HOUR_MS },
  { label: '4–12h', fromMs: 4 * HOUR_MS },
  { label: '12–24h', fromMs: 12 * HOUR_MS },
  { label: '1–2d', fromMs: DAY_MS },
  { label: '> 2d', fromMs: 2 * DAY_MS },
] as const;

export interface AgeBucket {
  label: string;
  count: number;
}

/** Pending requests by age (now − requested_at, when the request was first made), youngest bucket first. */
export async function pendingAgeHistogram(db: Db, now = new Date(), scope?: StatsScope): Promise<AgeBucket[]> {
  // width_bucket wants ascending thresholds: the oldest boundary first, so
  // bucket 0 is "> 2d" and the last is "< 1h".
  const thresholds = AGE_BUCKETS.slice(1)
    .map((b) => new Date(now.getTime() - b.fromMs))
    .reverse();
  const rows = await db.$queryRaw<{ bucket: number; count: number }[]>`
    SELECT width_bucket(requested_at, ${thresholds}::timestamp[]) AS bucket, count(*)::int AS count
    FROM approval_requests
    WHERE status = 'PENDING' ${scoped(scope)}
    GROUP BY 1`;
  const counts = new Map(rows.map((r) => [AGE_BUCKETS.length - 1 - r.bucket, r.count]));
  return AGE_BUCKETS.map((b, i) => ({ label: b.label, count: counts.get(i) ?? 0 }));
}

export interface DayFigures {
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  /** Requests closed that day, however they closed. */
  closed: number;
  expired: number;
  /** Approved or rejected. */
  decided: number;
  /** expired / closed; null when nothing closed. */
  expiryRate: number | null;
  /** Time to decision (decided_at − requested_at) of the day's decisions; null without any. */
  medianSeconds: number | null;
  p90Seconds: number | null;
}

interface DayRow {
  day: string;
  closed: number;
  expired: number;
  decided: number;
  median_seconds: number | null;
  p90_seconds: number | null;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** The last `days` UTC days (today included), oldest first, every day present even when nothing closed. */
export async function dailyFigures(db: Db, now = new Date(), days = 14, scope?: StatsScope): Promise<DayFigures[]> {
  const today = startOfUtcDay(now);
  const since = new Date(today.getTime() - (days - 1) * DAY_MS);
  const rows = await db.$queryRaw<DayRow[]>`
    SELECT
      to_char(date_trunc('day', decided_at), 'YYYY-MM-DD') AS day,
      count(*)::int AS closed,
      count(*) FILTER (WHERE status = 'EXPIRED')::int AS expired,
      count(*) FILTER (WHERE status IN ('APPROVED', 'REJECTED'))::int AS decided,
      (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - requested_at)) FILTER (WHERE status IN ('APPROVED', 'REJECTED')))::float8 AS median_seconds,
      (percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - requested_at)) FILTER (WHERE status IN ('APPROVED', 'REJECTED')))::float8 AS p90_seconds
    FROM approval_requests
    WHERE status IN ${CLOSED} AND decided_at >= ${since} AND decided_at < ${new Date(today.getTime() + DAY_MS)} ${scoped(scope)}
    GROUP BY 1`;
  const byDay = new Map(rows.map((r) => [r.day, r]));
  return Array.from({ length: days }, (_, i) => {
    const day = isoDay(new Date(since.getTime() + i * DAY_MS));
    const row = byDay.get(day);
    if (!row) return { day, closed: 0, expired: 0, decided: 0, expiryRate: null, medianSeconds: null, p90Seconds: null };
    return {
      day,
      closed: row.closed,
      expired: row.expired,
      decided: row.decided,
      expiryRate: row.closed > 0 ? row.expired / row.closed : null,
      medianSeconds: row.median_seconds,
      p90Seconds: row.p90_seconds,
    };
  });
}

export interface ReviewerLoad {
  reviewer: string;
  /** Pending requests they hold. */
  openClaims: number;
  /** Requests they approved or rejected in the last 7 days. */
  decisions: number;
}

/** Open claims and the last 7 days' decisions per person, busiest first. */
export async function reviewerLoad(db: Db, now = new Date(), limit = 10, scope?: StatsScope): Promise<ReviewerLoad[]> {
  const since = new Date(now.getTime() - 7 * DAY_MS);
  return db.$queryRaw<ReviewerLoad[]>`
    SELECT reviewer, sum(open_claims)::int AS "openClaims", sum(decisions)::int AS decisions
    FROM (
      SELECT claimed_by AS reviewer, count(*) AS open_claims, 0 AS decisions
      FROM approval_requests WHERE status = 'PENDING' AND claimed_by IS NOT NULL ${scoped(scope)} GROUP BY 1
      UNION ALL
      SELECT decided_by, 0, count(*)
      FROM approval_requests WHERE status IN ('APPROVED', 'REJECTED') AND decided_at >= ${since} AND decided_at <= ${now} AND decided_by IS NOT NULL ${scoped(scope)} GROUP BY 1
    ) AS load
    GROUP BY reviewer
    ORDER BY sum(open_claims) + sum(decisions) DESC, reviewer
    LIMIT ${limit}`;
}

export interface AdminStats {
  counts: QueueCounts;
  ages: AgeBucket[];
  days: DayFigures[];
  reviewers: ReviewerLoad[];
}

/** Everything the admin queue shows above its list, read in parallel. */
export async function loadAdminStats(db: Db, now = new Date(), scope?: StatsScope): Promise<AdminStats> {
  const [counts, ages, days, reviewers] = await Promise.all([
    countQueue(db, now, scope),
    pendingAgeHistogram(db, now, scope),
    dailyFigures(db, now, 14, scope),
    reviewerLoad(db, now, 10, scope),
  ]);
  return { counts, ages, days, reviewers };
}
