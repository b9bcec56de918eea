// Starts orderWorkflow for an order: from the admin UI, `npm run request` and the dev seed.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { orderWorkflow } from '../../worker/workflows';
import { orderWorkflowId, type Order } from '../orders';
import { ApprovalError } from './errors';

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
