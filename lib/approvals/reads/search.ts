// Free-text search, one way for every list (the inbox, the admin queue): the
// expression the trigram index is built on, and LIKE with its metacharacters
// taken literally. (Prisma's `contains` leaves % and _ as wildcards.)
import { Prisma } from '@prisma/client';

/** The free-text expression the trigram index (migration 20261128213705_inbox) is built on. */
export const SEARCH_EXPRESSION = Prisma.raw(`lower(title || ' ' || coalesce(customer, '') || ' ' || workflow_id)`);

/** LIKE metacharacters taken literally (backslash is PostgreSQL's default LIKE escape). */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A LIKE pattern for "contains `value`", case-insensitive against a lower()ed column. */
export const containsPattern = (value: string) => Prisma.sql`'%' || lower(${escapeLike(value)}) || '%'`;

/** The condition "title, customer or workflow id contains `text`", literally and ignoring case. */
export const searchMatches = (text: string) => Prisma.sql`${SEARCH_EXPRESSION} LIKE ${containsPattern(text)}`;
