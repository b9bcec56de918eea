// The columns the inbox sorts and filters on, taken from a validated request:
// written alike by the activity, the workflow's outcome and the reconciler.
import type { ApprovalRequest } from '../../contract/approval';

/** The column the inbox shows as "customer": the request's customer field, else its requester. */
function customerOf(request: ApprovalRequest): string | null {
  const fromFields = request.fields?.customer;
  return fromFields !== undefined ? String(fromFields) : (request.requester ?? null);
}

export function requestColumns(request: ApprovalRequest) {
  return {
    title: request.title,
    customer: customerOf(request),
    amount: request.amount === undefined ? null : String(request.amount),
    currency: request.currency ?? null,
    /** Four eyes compares it with a reviewer's email, so it is kept as one is: trimmed, lower case. */
    requester: request.requester?.trim().toLowerCase() || null,
  };
}
