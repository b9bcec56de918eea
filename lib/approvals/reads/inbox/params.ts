// The inbox's URL search params parsed into an InboxQuery (zod; a bad value is
// reported and falls back to its default), and an InboxQuery written back as a link.
import { z } from 'zod';
import { NAME_PATTERN } from '../../../contract/approval';
import { decodeCursor } from './cursor';
import {
  DECIMAL,
  DEFAULT_DIR,
  DEFAULT_INBOX_QUERY,
  INBOX_SCOPES,
  INBOX_SORTS,
  INBOX_STATUSES,
  type InboxParamIssue,
  type InboxQuery,
} from './query';

const DAMAGED_LINK = 'This page link is damaged or was edited, so it was ignored; showing the first page.';

const text = (max: number, what: string) =>
  z
    .string()
    .trim()
    .max(max, `${what} can be at most ${max} characters; it was ignored.`)
    .transform((v) => (v === '' ? undefined : v));

const amount = (what: string) =>
  z
    .string()
    .trim()
    .transform((v) => v.replace(/,/g, ''))
    .refine((v) => v === '' || DECIMAL.test(v), `The ${what} amount must be a number such as 1200 or 99.50; it was ignored.`)
    .transform((v) => (v === '' ? undefined : v.replace(/^0+(?=\d)/, '')));

const flag = (what: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => ['', '0', '1', 'true', 'false', 'on'].includes(v), `"${what}" takes 1 or 0; it was ignored.`)
    .transform((v) => v === '1' || v === 'true' || v === 'on');

/** A group's name, as admins create them (lower-case letters, digits and dashes). */
const groupName = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => v === '' || NAME_PATTERN.test(v), 'The group must be a group name such as finance; it was ignored.')
  .transform((v) => (v === '' ? undefined : v));

const cursor = z
  .string()
  .trim()
  .transform((v, ctx) => {
    if (v === '') return undefined;
    const decoded = decodeCursor(v);
    if (!decoded) {
      ctx.addIssue({ code: 'custom', message: DAMAGED_LINK });
      return z.NEVER;
    }
    return decoded;
  });

/**
 * The inbox's URL params, each optional (missing or empty = the default).
 * Parse with parseInboxQuery, which reports a bad value and uses that field's default.
 */
const inboxParamsSchema = z
  .object({
    scope: z
      .string()
      .trim()
      .toLowerCase()
      .transform((v) => v || 'me')
      .pipe(z.enum(INBOX_SCOPES, 'The scope must be me or all; showing the requests for you.'))
      .default('me'),
    status: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(INBOX_STATUSES, `The status must be one of ${INBOX_STATUSES.join(', ')}; showing pending requests.`))
      .default('pending'),
    min: amount('minimum').optional(),
    max: amount('maximum').optional(),
    customer: text(200, 'The customer filter').optional(),
    waiting: flag('waiting').default(false),
    group: groupName.optional(),
    type: text(200, 'The request type').optional(),
    mine: flag('mine').default(false),
    overdue: flag('overdue').default(false),
    sort: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(INBOX_SORTS, `Sort by deadline, age or amount; sorting by deadline.`))
      .default('deadline'),
    dir: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(['asc', 'desc', ''], 'The direction must be asc or desc; using the default for the sort.'))
      .optional(),
    q: text(200, 'The search text').optional(),
    after: cursor.optional(),
    before: cursor.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.min !== undefined && v.max !== undefined && Number(v.min) > Number(v.max)) {
      ctx.addIssue({
        code: 'custom',
        path: ['max'],
        message: `The maximum amount (${v.max}) is below the minimum (${v.min}); the maximum was ignored.`,
      });
    }
    if (v.after && v.before)
      ctx.addIssue({ code: 'custom', path: ['before'], message: 'A page link cannot go both ways; "before" was ignored.' });
    for (const key of ['after', 'before'] as const) {
      const c = v[key];
      if (c && c.sort !== v.sort)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'This page link belongs to another sort order, so it was ignored; showing the first page.',
        });
    }
  })
  .transform((v): InboxQuery => ({
    scope: v.scope,
    status: v.status,
    waiting: v.waiting,
    ...(v.group !== undefined && { group: v.group }),
    ...(v.type !== undefined && { type: v.type }),
    ...(v.min !== undefined && { min: v.min }),
    ...(v.max !== undefined && { max: v.max }),
    ...(v.customer !== undefined && { customer: v.customer }),
    mine: v.mine,
    overdue: v.overdue,
    sort: v.sort,
    dir: v.dir || DEFAULT_DIR[v.sort],
    ...(v.q !== undefined && { q: v.q }),
    ...(v.after && { after: v.after }),
    ...(v.before && { before: v.before }),
  }));

export type InboxSearchParams = Record<string, string | string[] | undefined> | URLSearchParams;

const PARAMS = [
  'scope',
  'status',
  'waiting',
  'group',
  'type',
  'min',
  'max',
  'customer',
  'mine',
  'overdue',
  'sort',
  'dir',
  'q',
  'after',
  'before',
] as const;

/** The first value of each known param (a repeated param takes its first). Unknown params are left out. */
function knownParams(params: InboxSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PARAMS) {
    const value = params instanceof URLSearchParams ? params.get(name) : params[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') out[name] = first;
  }
  return out;
}

/**
 * Never throws: a param with a bad value is reported in `issues` and that
 * field (only that one) takes its default.
 */
export function parseInboxQuery(params: InboxSearchParams): { query: InboxQuery; issues: InboxParamIssue[] } {
  const input = knownParams(params);
  const issues: InboxParamIssue[] = [];
  for (let round = 0; round <= PARAMS.length; round++) {
    const parsed = inboxParamsSchema.safeParse(input);
    if (parsed.success) return { query: parsed.data, issues };
    let dropped = false;
    for (const issue of parsed.error.issues) {
      const param = String(issue.path[0] ?? '');
      if (!(param in input)) continue;
      issues.push({ param, message: issue.message });
      delete input[param];
      dropped = true;
    }
    if (!dropped) break;
  }
  return {
    query: { ...DEFAULT_INBOX_QUERY },
    issues: issues.length ? issues : [{ param: '', message: 'The filters in this link could not be read; showing the default view.' }],
  };
}

/**
 * The URL params of a query, defaults left out, so a shared link is short and
 * says only what differs. `page` adds a cursor (the pager's links).
 */
function inboxSearchParams(query: InboxQuery, page?: { after: string } | { before: string }): URLSearchParams {
  const p = new URLSearchParams();
  if (query.q) p.set('q', query.q);
  if (query.scope !== 'me') p.set('scope', query.scope);
  if (query.status !== 'pending') p.set('status', query.status);
  if (query.waiting) p.set('waiting', '1');
  if (query.group) p.set('group', query.group);
  if (query.type) p.set('type', query.type);
  if (query.customer) p.set('customer', query.customer);
  if (query.min) p.set('min', query.min);
  if (query.max) p.set('max', query.max);
  if (query.mine) p.set('mine', '1');
  if (query.overdue) p.set('overdue', '1');
  if (query.sort !== 'deadline') p.set('sort', query.sort);
  if (query.dir !== DEFAULT_DIR[query.sort]) p.set('dir', query.dir);
  if (page && 'after' in page) p.set('after', page.after);
  if (page && 'before' in page) p.set('before', page.before);
  return p;
}

export function inboxHref(query: InboxQuery, page?: { after: string } | { before: string }): string {
  const search = inboxSearchParams(query, page).toString();
  return search ? `/inbox?${search}` : '/inbox';
}
