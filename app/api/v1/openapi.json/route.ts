// GET /api/v1/openapi.json: the API's OpenAPI 3.1 document, generated from its zod schemas. No key needed.
import { openApiDocument } from '@/lib/api/openapi';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json(openApiDocument(), { headers: { 'cache-control': 'no-store' } });
}
