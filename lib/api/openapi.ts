// The OpenAPI 3.1 document of /api/v1, generated from lib/api/schemas.ts (the
// schemas the handlers parse with): JSON Schema 2020-12, OpenAPI 3.1's own dialect.
import { z } from 'zod';
import { API_ERRORS, type ApiErrorCode } from './errors';
import { inputSchemas, listQuerySchema, outputSchemas, requestIdSchema } from './schemas';

type JsonSchema = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

function componentsOf(registry: typeof inputSchemas, io: 'input' | 'output'): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', io, uri: (id) => `#/components/schemas/${id}` });
  const out: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _dialect, $id: _id, ...rest } = schema as JsonSchema;
    out[id] = rest;
  }
  return out;
}

function standalone(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as JsonSchema;
  return rest;
}

/** The error responses an operation may give, grouped by status, each listing its codes. */
function errorResponses(codes: ApiErrorCode[]): Record<string, unknown> {
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of [...codes, 'internal' as const]) {
    const status = API_ERRORS[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const retry = status === 429 || status === 503;
    responses[String(status)] = {
      description: list.map((code) => `\`${code}\`: ${API_ERRORS[code].when}`).join(' '),
      content: json(ref('Error')),
      ...(retry ? { headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } } } : {}),
    };
  }
  return responses;
}

const AUTH: ApiErrorCode[] = ['missing_key', 'invalid_key', 'revoked_key', 'expired_key', 'inactive_user', 'scope', 'rate_limited'];
const READ: ApiErrorCode[] = [...AUTH, 'invalid_request', 'overloaded'];
const WRITE: ApiErrorCode[] = [
  ...AUTH,
  'malformed_json',
  'invalid_request',
  'too_large',
  'not_eligible',
  'forbidden',
  'not_found',
  'already_decided',
  'claimed',
  'reissued',
  'paused',
  'expired',
  'cancelled',
  'terminated',
  'busy',
  'temporal_unavailable',
  'overloaded',
];

const idParameter = { name: 'id', in: 'path', required: true, schema: standalone(requestIdSchema), description: 'The request id.' };

function decisionOperation(summary: string, description: string, body: string | null, result: string, extra: ApiErrorCode[] = []) {
  return {
    post: {
      summary,
      description,
      security: [{ bearer: ['decide'] }],
      parameters: [idParameter],
      ...(body ? { requestBody: { required: body === 'RejectBody', content: json(ref(body)) } } : {}),
      responses: { '200': { description: 'Done.', content: json(ref(result)) }, ...errorResponses([...WRITE, ...extra]) },
    },
  };
}

/** The document, built once per process. */
let built: JsonSchema | undefined;

export function openApiDocument(): JsonSchema {
  built ??= buildDocument();
  return built;
}

function buildDocument(): JsonSchema {
  const query = listQuerySchema.shape;
  const parameters = Object.entries(query).map(([name, schema]) => {
    const { description, ...rest } = standalone(schema.unwrap());
    return { name, in: 'query', required: false, schema: rest, ...(typeof description === 'string' ? { description } : {}) };
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Countersign API',
      version: '1',
      description:
        "Decide Temporal approvals from anywhere. Every call acts as the API key's user, under the same policies as the inbox (who may decide, four eyes, quorum).",
    },
    servers: [{ url: '/api/v1' }],
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'cs_<prefix>_<secret>',
          description: 'An API key made on /admin/api-keys.',
        },
      },
      schemas: { ...componentsOf(inputSchemas, 'input'), ...componentsOf(outputSchemas, 'output') },
    },
    paths: {
      '/requests': {
        get: {
          summary: 'List requests',
          description: "The inbox's list as the key's user sees it, 50 per page, with keyset cursors. Scope: read.",
          security: [{ bearer: ['read'] }],
          parameters,
          responses: { '200': { description: 'One page.', content: json(ref('RequestList')) }, ...errorResponses(READ) },
        },
      },
      '/requests/{id}': {
        get: {
          summary: 'Read one request',
          description: 'The request, its routing, progress, votes and timeline (audit events). Scope: read.',
          security: [{ bearer: ['read'] }],
          parameters: [idParameter],
          responses: {
            '200': { description: 'The request.', content: json(ref('RequestDetail')) },
            ...errorResponses([...READ, 'not_found']),
          },
        },
      },
      '/requests/{id}/approve': decisionOperation(
        'Approve',
        "Approves as the key's user: completes the activity once the quorum is reached. Scope: decide.",
        'ApproveBody',
        'DecisionResult',
        ['invalid_values'],
      ),
      '/requests/{id}/reject': decisionOperation(
        'Reject',
        'Rejects with a reason: the workflow gets ApprovalDenied. Scope: decide.',
        'RejectBody',
        'DecisionResult',
      ),
      '/requests/{id}/claim': decisionOperation(
        'Claim',
        "Holds the request for the key's user: only they may decide it until released. Scope: decide.",
        null,
        'ClaimResult',
      ),
      '/requests/{id}/release': decisionOperation('Release', "Lets go of the key's user's claim. Scope: decide.", null, 'ClaimResult'),
      '/openapi.json': {
        get: {
          summary: 'This document',
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1.', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
    },
  };
}
