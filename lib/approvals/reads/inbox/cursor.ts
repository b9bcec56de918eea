// Page cursors: base64url of JSON { s: sort, k: key, i: id, c: checksum }. The
// checksum is no secret (any position may be asked for); it only turns a
// hand-edited or truncated link into a clear message instead of an odd page.
import { z } from 'zod';
import { DECIMAL, INBOX_SORTS, type InboxCursor } from './query';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

const checksumOf = (sort: string, key: string | null, id: string) => fnv1a(`${sort}\n${key ?? '\u0000'}\n${id}`);

export function encodeCursor(cursor: InboxCursor): string {
  const body = { s: cursor.sort, k: cursor.key, i: cursor.id, c: checksumOf(cursor.sort, cursor.key, cursor.id) };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

const cursorBodySchema = z
  .object({ s: z.enum(INBOX_SORTS), k: z.string().max(40).nullable(), i: z.guid(), c: z.string().max(16) })
  .strict()
  .refine((b) => b.c === checksumOf(b.s, b.k, b.i))
  .refine((b) =>
    b.s === 'amount' ? b.k === null || DECIMAL.test(b.k) : b.k !== null && ISO_MS.test(b.k) && !Number.isNaN(Date.parse(b.k)),
  );

/** The cursor in a link, or null when it is not one this app wrote (edited, truncated, garbage). */
export function decodeCursor(token: string): InboxCursor | null {
  if (token.length > 400 || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const parsed = cursorBodySchema.safeParse(json);
  return parsed.success ? { sort: parsed.data.s, key: parsed.data.k, id: parsed.data.i.toLowerCase() } : null;
}
