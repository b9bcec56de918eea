// API keys: an admin makes one for a named (service) user; the key acts as
// that user, under their policies. The key is `cs_<prefix>_<secret>`, shown
// once; only the SHA-256 of the secret is stored, and compared in constant time.
// Every change is an audit event with no request (never the secret).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { isAdmin, notAllowed, type Role } from '../auth/access';
import { CodedError } from '../coded-error';
import { Prisma } from '@prisma/client';
import type { Db } from '../db';
import { recordDirectoryEvent } from '../directory/audit';
import { ApiError } from './errors';
import { countRequestSql, enforceLimit, type ApiRateLimit } from './rate-limit';

export const API_SCOPES = ['read', 'decide'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** `cs_` + 10 hex characters + `_` + 32 random bytes in base64url (43 characters, which may hold `_` and `-`). */
const KEY_PATTERN = /^cs_([0-9a-f]{10})_([A-Za-z0-9_-]{43})$/;

export const API_KEY_ACTIONS = ['API_KEY_CREATED', 'API_KEY_REVOKED'] as const;

/** Whoever manages keys: an admin; their email is the audit event's actor. */
export interface KeyAdmin {
  email: string;
  role: Role;
}

const NAME_MAX = 100;

export const newApiKeySchema = z.object({
  name: z.string().trim().min(1, 'Name the key (what uses it, e.g. "billing service")').max(NAME_MAX, `At most ${NAME_MAX} characters`),
  /** The user the key acts as: an existing one, or a new service user (no password, REVIEWER) when none has this email. */
  userEmail: z.string().trim().toLowerCase().email('A valid email address is required').max(200),
  /** The new service user's name; ignored for an existing user. */
  userName: z.string().trim().max(200).optional(),
  scopes: z.array(z.enum(API_SCOPES)).min(1, 'Choose at least one scope').max(API_SCOPES.length),
  expiresAt: z.date().optional(),
});
export type NewApiKey = z.input<typeof newApiKeySchema>;

export const apiKeyRefSchema = z.object({ id: z.string().trim().min(1).max(100) });

export interface CreatedApiKey {
  id: string;
  /** The whole key: shown once, never stored. */
  key: string;
  prefix: string;
  userEmail: string;
  /** A service user was created for the key. */
  userCreated: boolean;
}

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  userEmail: string;
  userActive: boolean;
  scopes: string[];
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

function requireAdmin(actor: KeyAdmin): void {
  if (!isAdmin(actor)) throw notAllowed();
}

/** A new key for `input.userEmail`, creating that service user first when there is none. */
export async function createApiKey(db: Db, admin: KeyAdmin, input: NewApiKey, now = new Date()): Promise<CreatedApiKey> {
  requireAdmin(admin);
  const data = newApiKeySchema.parse(input);
  if (data.expiresAt && data.expiresAt.getTime() <= now.getTime())
    throw new KeyInputError('expiresAt', 'The expiry must be in the future.');
  const prefix = randomBytes(5).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const scopes = API_SCOPES.filter((s) => data.scopes.includes(s));
  return db.$transaction(async (tx) => {
    let user = await tx.user.findUnique({ where: { email: data.userEmail }, select: { id: true, email: true, active: true } });
    let userCreated = false;
    if (user && !user.active) throw new KeyInputError('userEmail', `${user.email} is deactivated: reactivate them first.`);
    if (!user) {
      if (!data.userName) throw new KeyInputError('userName', 'No user has this email: name the new service user.');
      user = await tx.user.create({
        data: { email: data.userEmail, name: data.userName, role: 'REVIEWER', passwordHash: null },
        select: { id: true, email: true, active: true },
      });
      userCreated = true;
      await recordDirectoryEvent(tx, {
        actor: admin.email,
        action: 'USER_CREATED',
        details: { email: user.email, role: 'REVIEWER', serviceUser: true },
      });
    }
    const key = await tx.apiKey.create({
      data: {
        name: data.name,
        prefix,
        secretHash: sha256(secret).toString('hex'),
        userId: user.id,
        scopes,
        expiresAt: data.expiresAt ?? null,
        createdBy: admin.email,
      },
      select: { id: true },
    });
    await tx.auditEvent.create({
      data: {
        approvalRequestId: null,
        actor: admin.email,
        action: 'API_KEY_CREATED',
        path: 'DASHBOARD',
        details: { keyId: key.id, name: data.name, prefix, user: user.email, scopes, expiresAt: data.expiresAt?.toISOString() ?? null },
      },
    });
    return { id: key.id, key: `cs_${prefix}_${secret}`, prefix, userEmail: user.email, userCreated };
  });
}

/** A refusal of the admin's input, naming the field. */
export class KeyInputError extends CodedError<'INVALID_KEY_INPUT'> {
  override readonly name = 'KeyInputError';

  constructor(
    readonly field: string,
    message: string,
  ) {
    super('INVALID_KEY_INPUT', message);
  }

  get httpStatus(): number {
    return 400;
  }
}

/** The admin form's fields (checkboxes `scope_read`, `scope_decide`; `expiresOn` a date, the key ending at its end, UTC). */
export const apiKeyFormSchema = z
  .object({
    name: z.string(),
    userEmail: z.string(),
    userName: z.string().optional(),
    scope_read: z.string().optional(),
    scope_decide: z.string().optional(),
    expiresOn: z
      .string()
      .trim()
      .optional()
      .refine((v) => !v || /^\d{4}-\d{2}-\d{2}$/.test(v), 'Pick a date, or leave it empty for no expiry'),
  })
  .transform((form): NewApiKey => ({
    name: form.name,
    userEmail: form.userEmail,
    ...(form.userName?.trim() ? { userName: form.userName } : {}),
    scopes: [...(form.scope_read ? (['read'] as const) : []), ...(form.scope_decide ? (['decide'] as const) : [])],
    ...(form.expiresOn ? { expiresAt: new Date(`${form.expiresOn}T23:59:59.999Z`) } : {}),
  }))
  .pipe(newApiKeySchema);

/** Every key, newest first (admins only). */
export async function listApiKeys(db: Db, admin: KeyAdmin): Promise<ApiKeyRow[]> {
  requireAdmin(admin);
  const rows = await db.apiKey.findMany({
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    select: {
      id: true,
      name: true,
      prefix: true,
      scopes: true,
      createdBy: true,
      createdAt: true,
      lastUsedAt: true,
      expiresAt: true,
      revokedAt: true,
      user: { select: { email: true, active: true } },
    },
  });
  return rows.map(({ user, ...row }) => ({ ...row, userEmail: user.email, userActive: user.active }));
}

/** Revokes a key: refused from its next request on. Revoking a revoked key changes nothing. */
export async function revokeApiKey(
  db: Db,
  admin: KeyAdmin,
  input: { id: string },
  now = new Date(),
): Promise<{ changed: boolean; name: string }> {
  requireAdmin(admin);
  return db.$transaction(async (tx) => {
    const key = await tx.apiKey.findUnique({ where: { id: input.id }, select: { id: true, name: true, prefix: true, revokedAt: true } });
    if (!key) throw new KeyInputError('id', 'No such key.');
    if (key.revokedAt) return { changed: false, name: key.name };
    await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: now } });
    await tx.auditEvent.create({
      data: {
        approvalRequestId: null,
        actor: admin.email,
        action: 'API_KEY_REVOKED',
        path: 'DASHBOARD',
        details: { keyId: key.id, name: key.name, prefix: key.prefix },
      },
    });
    return { changed: true, name: key.name };
  });
}

/** Who a request's key acts as. */
export interface ApiPrincipal {
  keyId: string;
  scopes: ApiScope[];
  userId: string;
  email: string;
}

/** How often last-used is written: a busy key does not write on every request. */
const LAST_USED_GRANULARITY_MS = 60_000;

/** The key as the authentication statement finds it, with the count it took (none for a key that is not valid now). */
interface FoundKey {
  id: string;
  secret_hash: string;
  scopes: string[];
  expires_at: Date | null;
  revoked_at: Date | null;
  user_id: string;
  email: string;
  active: boolean;
  points: number | null;
  ms_before_next: number | null;
}

/**
 * The key of an `Authorization: Bearer cs_…` header, counted against `limit`,
 * or an ApiError: 401 when missing, malformed, unknown, of a wrong secret,
 * revoked, expired, or of a deactivated user; 429 over the limit. One
 * statement finds the key, counts the request (only for a key valid now, so
 * a wrong secret costs the key nothing) and writes last-used.
 */
export async function authenticateApiKey(
  db: Db,
  authorization: string | null,
  limit: ApiRateLimit,
  now = new Date(),
): Promise<ApiPrincipal> {
  if (!authorization) throw new ApiError('missing_key', 'Send the API key as `Authorization: Bearer cs_…`.');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  const parts = match?.[1] ? KEY_PATTERN.exec(match[1]) : null;
  const [, prefix, secret] = parts ?? [];
  if (!prefix || !secret) throw new ApiError('invalid_key', 'The API key is not valid.');
  const given = sha256(secret);
  const [key] = await db.$queryRaw<FoundKey[]>`
    WITH found AS (
      SELECT k.id, k.secret_hash, k.scopes, k.expires_at, k.revoked_at, k.user_id, u.email, u.active
      FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.prefix = ${prefix}
    ), valid AS (
      SELECT id FROM found
      WHERE secret_hash = ${given.toString('hex')} AND revoked_at IS NULL AND active
        AND (expires_at IS NULL OR expires_at > ${now}::timestamp(3))
    ), counted AS (${countRequestSql(Prisma.sql`SELECT id FROM valid`, limit, now)}
    ), used AS (
      UPDATE api_keys k SET last_used_at = ${now}::timestamp(3) FROM valid
      WHERE k.id = valid.id AND (k.last_used_at IS NULL OR k.last_used_at <= ${new Date(now.getTime() - LAST_USED_GRANULARITY_MS)}::timestamp(3))
    )
    SELECT found.*, counted.points, counted.ms_before_next FROM found LEFT JOIN counted ON true`;
  // The secret is compared (in constant time) even for an unknown prefix, so timing says nothing about which prefixes exist.
  const stored = Buffer.from(key?.secret_hash ?? '0'.repeat(64), 'hex');
  const matches = stored.length === given.length && timingSafeEqual(stored, given);
  if (!key || !matches) throw new ApiError('invalid_key', 'The API key is not valid.');
  if (key.revoked_at) throw new ApiError('revoked_key', 'This API key was revoked.');
  if (key.expires_at && key.expires_at.getTime() <= now.getTime()) throw new ApiError('expired_key', 'This API key has expired.');
  if (!key.active) throw new ApiError('inactive_user', "This API key's user is deactivated.");
  if (key.points === null || key.ms_before_next === null) throw new Error(`API key ${key.id}: valid, but its request was not counted`);
  enforceLimit(limit, { points: key.points, msBeforeNext: key.ms_before_next });
  return {
    keyId: key.id,
    scopes: API_SCOPES.filter((s) => key.scopes.includes(s)),
    userId: key.user_id,
    email: key.email,
  };
}
