// Limits every caller meets the same way: the workflow's request, a reviewer's
// form, and the server that checks both.

/** A decision's comment and a rejection's reason, in characters. */
export const COMMENT_MAX = 2000;
export const REASON_MAX = 2000;
/** Amounts are stored as NUMERIC(18,2): anything larger would fail the write. */
export const AMOUNT_MAX = 1e15;
/** Requests one bulk decision takes. */
export const BULK_MAX = 100;
/** Entries in a request's `fields`: each is a row on the request page. */
export const FIELDS_MAX = 50;

/** An ISO 4217 currency code, as requests and orders carry it. */
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;
export const CURRENCY_MESSAGE = 'currency must be an ISO 4217 code such as USD';

/**
 * Characters no text from a workflow or a decider may hold: NUL (PostgreSQL
 * refuses it, so the row could never be written) and the bidirectional
 * embedding, override and isolate controls that make text read differently
 * from what it says (U+202A-U+202E, U+2066-U+2069, "Trojan Source"). The
 * plain direction marks (U+200E, U+200F, U+061C) are ordinary in right-to-left
 * text and allowed.
 */
function isForbiddenCharacter(code: number): boolean {
  return code === 0x0000 || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

const codePoint = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

/** The first forbidden character in `text`, as "U+202E"; undefined when there is none. */
export function forbiddenCharacterIn(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isForbiddenCharacter(code)) return codePoint(code);
  }
  return undefined;
}

/** `text` with each forbidden character written as [U+202E], so a message can quote it safely. */
export function spellOutForbidden(text: string): string {
  return Array.from(text, (c) => (isForbiddenCharacter(c.charCodeAt(0)) ? `[${codePoint(c.charCodeAt(0))}]` : c)).join('');
}

/** The message for a field holding a forbidden character. */
export const forbiddenCharacterMessage = (field: string, found: string) =>
  `${field} must not contain NUL or bidirectional control characters (found ${found})`;
