// Orders: the demo business object. orderWorkflow maps an order onto the
// generic approval request. Pure: imported by the workflow bundle.
import { z } from 'zod';
import type { ApprovalRequest } from './approval';

export const orderSchema = z.object({
  id: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9._-]+$/, 'id may hold letters, digits, dot, dash and underscore'),
  customer: z.string().trim().min(1, 'customer is required').max(200),
  amount: z.number().finite().positive('amount must be more than 0').max(1e12),
  currency: z.string().regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code such as USD'),
  items: z
    .array(z.object({ sku: z.string().min(1).max(64), qty: z.number().int().positive() }))
    .max(100)
    .optional(),
  requestedBy: z.string().max(200).optional(),
});
export type Order = z.infer<typeof orderSchema>;

export type OrderResult =
  | { status: 'FULFILLED'; decidedBy: string; comment?: string }
  | { status: 'REJECTED'; decidedBy: string; reason: string }
  /** No decision within the approval windows. */
  | { status: 'EXPIRED' };

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

/** "SKU-1:2, SKU-2:1" (commas or new lines) → items; undefined for blank input. */
export function parseItems(text: string): Order['items'] | null {
  const parts = text
    .split(/[,\n]/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return undefined;
  const items: NonNullable<Order['items']> = [];
  for (const part of parts) {
    const match = /^([^:\s]+)\s*:\s*(\d+)$/.exec(part);
    if (!match?.[1] || !match[2]) return null;
    items.push({ sku: match[1], qty: Number(match[2]) });
  }
  return items;
}

/** The admin form's fields; the order id is generated. */
export const orderFormSchema = z.object({
  customer: orderSchema.shape.customer,
  amount: z.coerce.number({ message: 'amount must be a number' }).pipe(orderSchema.shape.amount),
  currency: orderSchema.shape.currency,
  items: z
    .string()
    .max(2000)
    .optional()
    .transform((text, ctx) => {
      const items = parseItems(text ?? '');
      if (items === null) {
        ctx.addIssue({ code: 'custom', message: 'items look like SKU-1:2, SKU-2:1' });
        return z.NEVER;
      }
      return items;
    }),
});
