// Orders: the demo business object. orderWorkflow maps an order onto the
// generic approval request. Pure: imported by the workflow bundle.
import { z } from 'zod';
import { plainText, type ApprovalRequest, type ApproverEntry } from './approval';
import { CURRENCY_MESSAGE, CURRENCY_PATTERN } from './limits';

/** The workflow type that approves an order (worker/workflows.ts exports a function of this name and type). */
export const ORDER_WORKFLOW_TYPE = 'orderWorkflow';

export const orderSchema = z.object({
  id: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9._-]+$/, 'id may hold letters, digits, dot, dash and underscore'),
  customer: plainText('customer').trim().min(1, 'customer is required').max(200),
  amount: z.number().finite().positive('amount must be more than 0').max(1e12),
  currency: z.string().regex(CURRENCY_PATTERN, CURRENCY_MESSAGE),
  items: z
    .array(z.object({ sku: plainText('sku').min(1).max(64), qty: z.number().int().positive() }))
    .max(100)
    .optional(),
  requestedBy: plainText('requestedBy').max(200).optional(),
});
export type Order = z.infer<typeof orderSchema>;

export type OrderResult =
  /** `approvers`: every approval, when the quorum needed more than one. */
  | { status: 'FULFILLED'; decidedBy: string; comment?: string; approvers?: ApproverEntry[] }
  | { status: 'REJECTED'; decidedBy: string; reason: string }
  /** No decision within the approval windows. */
  | { status: 'EXPIRED' };

/** The signature of orderWorkflow, so callers can start it typed without importing worker code. */
export type OrderWorkflow = (order: Order) => Promise<OrderResult>;

export const orderWorkflowId = (orderId: string) => `order-${orderId}`;

export function orderToApprovalRequest(order: Order): ApprovalRequest {
  const fields: Record<string, string | number> = { orderId: order.id, customer: order.customer };
  if (order.items?.length) {
    fields.items = order.items.map((i) => `${i.sku} × ${i.qty}`).join(', ');
  }
  const itemCount = order.items?.reduce((n, i) => n + i.qty, 0);
  return {
    title: `Order ${order.id} for ${order.customer}`,
    summary: itemCount ? `${itemCount} item${itemCount === 1 ? '' : 's'} for ${order.customer}` : `Order for ${order.customer}`,
    requester: order.requestedBy ?? order.customer,
    amount: order.amount,
    currency: order.currency,
    fields,
  };
}
