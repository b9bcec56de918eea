// One wrapper for every /api/v1 handler: authenticate the key, count it
// against its rate limit, check its scope, run, and turn any refusal into the
// API's JSON error. Handlers parse their input and their output with
// lib/api/schemas.ts, the same schemas the OpenAPI document is made from.
import 'server-only';
import type { z } from 'zod';
import { ApprovalError } from '../approvals/errors';
import type { ApprovalDeps } from '../approvals/deps';
import { getDb, isDatabaseBusy } from '../db';
import { getTemporalClient } from '../temporal';
import { ApiError, apiErrorOf, errorResponse } from './errors';
import { authenticateApiKey, type ApiPrincipal, type ApiScope } from './keys';
import { apiRateLimit } from './rate-limit';
import { requestIdSchema } from './schemas';

/** The largest body a caller may send. */
export const BODY_MAX_BYTES = 64 * 1024;

export interface ApiContext<P> {
  request: Request;
  principal: ApiPrincipal;
  params: P;
}

type RouteContext<P> = { params: Promise<P> };

/** A JSON response whose body is parsed with `schema` first: what leaves is what the document says. */
export function respond<S extends z.ZodType>(schema: S, body: z.input<S>, status = 200): Response {
  return Response.json(schema.parse(body), { status, headers: { 'cache-control': 'no-store' } });
}

/** The fields of a failed parse: one message per path. */
export function fieldsOf(error: z.ZodError, prefix = ''): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) fields[`${prefix}${issue.path.map(String).join('.')}` || 'body'] ??= issue.message;
  return fields;
}

/** A request id from the path, or 400 invalid_request. */
export function requestIdOf(value: string): string {
  const parsed = requestIdSchema.safeParse(value);
  if (!parsed.success) throw new ApiError('invalid_request', 'The id is not a request id (a UUID).', { fields: { id: 'Not a UUID' } });
  return parsed.data.toLowerCase();
}

/** The body as JSON (undefined when empty), refused over BODY_MAX_BYTES whatever Content-Length said. */
export async function readJson(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  const tooLarge = () => new ApiError('too_large', `The body may be at most ${BODY_MAX_BYTES / 1024} KB.`);
  if (Number.isFinite(declared) && declared > BODY_MAX_BYTES) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > BODY_MAX_BYTES) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError('malformed_json', 'The body is not valid JSON.');
  }
}

/** The body parsed with `schema`, or 400 invalid_request naming the fields. */
export async function readBody<S extends z.ZodType>(request: Request, schema: S, empty: unknown): Promise<z.output<S>> {
  const body = await readJson(request);
  const parsed = schema.safeParse(body === undefined ? empty : body);
  if (!parsed.success) throw new ApiError('invalid_request', 'The body does not fit the schema.', { fields: fieldsOf(parsed.error) });
  return parsed.data;
}

export async function apiDeps(): Promise<ApprovalDeps> {
  try {
    return { db: getDb(), temporal: await getTemporalClient() };
  } catch (error) {
    console.error('[countersign] api: no Temporal connection:', error instanceof Error ? error.message : error);
    throw new ApiError(
      'temporal_unavailable',
      'Temporal is not reachable right now. Nothing was changed: try again shortly.',
      undefined,
      5,
    );
  }
}

async function statusOfRequest(params: unknown): Promise<string | null> {
  const id = (params as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string' || !requestIdSchema.safeParse(id).success) return null;
  const row = await getDb().approvalRequest.findUnique({ where: { id: id.toLowerCase() }, select: { status: true } });
  return row?.status ?? null;
}

async function toResponse(error: unknown, params: unknown): Promise<Response> {
  if (error instanceof ApiError) return errorResponse(error);
  if (error instanceof ApprovalError) return errorResponse(await apiErrorOf(error, () => statusOfRequest(params)));
  if (isDatabaseBusy(error))
    return errorResponse(new ApiError('overloaded', 'Countersign is busy right now. Try again in a moment.', undefined, 1));
  console.error('[countersign] api request failed:', error instanceof Error ? error.message : error);
  return errorResponse(new ApiError('internal', 'Something went wrong. Nothing you sent is to blame; try again later.'));
}

/** A route handler that needs a key with `scope`. */
export function apiRoute<P extends Record<string, string> = Record<string, never>>(
  scope: ApiScope,
  run: (context: ApiContext<P>) => Promise<Response>,
): (request: Request, context: RouteContext<P>) => Promise<Response> {
  return async (request, context) => {
    let params: P | undefined;
    try {
      params = await context.params;
      const principal = await authenticateApiKey(getDb(), request.headers.get('authorization'), apiRateLimit());
      if (!principal.scopes.includes(scope)) {
        throw new ApiError('scope', `This key lacks the "${scope}" scope. An admin can make one that has it.`);
      }
      return await run({ request, principal, params });
    } catch (error) {
      return toResponse(error, params);
    }
  };
}
