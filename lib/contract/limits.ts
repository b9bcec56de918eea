// Limits every caller meets the same way: the workflow's request, a reviewer's
// form, and the server that checks both.

/** A decision's comment and a rejection's reason, in characters. */
export const COMMENT_MAX = 2000;
export const REASON_MAX = 2000;
/** Amounts are stored as NUMERIC(18,2): anything larger would fail the write. */
export const AMOUNT_MAX = 1e15;
/** Requests one bulk decision takes. */
export const BULK_MAX = 100;

/** An ISO 4217 currency code, as requests and orders carry it. */
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;
export const CURRENCY_MESSAGE = 'currency must be an ISO 4217 code such as USD';
