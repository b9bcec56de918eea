// Starts orderWorkflow for an order: from the admin UI, `npm run request` and the dev seed.
import { randomBytes } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { orderWorkflow } from '../../../worker/workflows';
import { orderWorkflowId, type Order } from '../../contract/orders';
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
    const handle = await client.workflow.start<typeof orderWorkflow>('orderWorkflow', {
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
