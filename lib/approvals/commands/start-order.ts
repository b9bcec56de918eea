// Starts orderWorkflow for an order: from the admin UI, `npm run request` and
// the dev seed; and the admin form's fields for one.
import { randomBytes } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { ORDER_WORKFLOW_TYPE, orderSchema, orderWorkflowId, type Order, type OrderWorkflow } from '../../contract/orders';
import { ApprovalError } from '../errors';

/** A fresh order id for orders created here (the admin form, the request script). Not for workflow code: it is random. */
export function newOrderId(): string {
  return `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export interface StartedOrder {
  workflowId: string;
  runId: string;
}

export async function startOrderApproval(client: Client, taskQueue: string, order: Order): Promise<StartedOrder> {
  const workflowId = orderWorkflowId(order.id);
  try {
    const handle = await client.workflow.start<OrderWorkflow>(ORDER_WORKFLOW_TYPE, {
      taskQueue,
      workflowId,
      args: [order],
      // One approval per order, ever: re-running a closed order would reopen its decided request.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    return { workflowId, runId: handle.firstExecutionRunId };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      throw new ApprovalError('DUPLICATE', `Order ${order.id} already has a workflow (${workflowId}).`);
    }
    throw error;
  }
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
