// orderWorkflow's mapping from an order to the generic approval request.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { approvalRequestSchema } from '../../lib/contract/approval';
import { orderToApprovalRequest, orderWorkflowId, type Order } from '../../lib/contract/orders';

const order = (overrides: Partial<Order> = {}): Order => ({
  id: 'ord-1001',
  customer: 'Acme Corp',
  amount: 1250.5,
  currency: 'EUR',
  ...overrides,
});

describe('orderToApprovalRequest', () => {
  test('titles the request with the order id and customer, and carries amount and currency', () => {
    const request = orderToApprovalRequest(order());
    assert.equal(request.title, 'Order ord-1001 for Acme Corp');
    assert.equal(request.amount, 1250.5);
    assert.equal(request.currency, 'EUR');
    assert.deepEqual(request.fields, { orderId: 'ord-1001', customer: 'Acme Corp' });
  });

  test('lists the items and counts them in the summary', () => {
    const request = orderToApprovalRequest(
      order({
        items: [
          { sku: 'SKU-1', qty: 2 },
          { sku: 'SKU-2', qty: 1 },
        ],
      }),
    );
    assert.equal(request.summary, '3 items for Acme Corp');
    assert.equal(request.fields?.items, 'SKU-1 × 2, SKU-2 × 1');
  });

  test('says "1 item" for a single unit', () => {
    assert.equal(orderToApprovalRequest(order({ items: [{ sku: 'SKU-1', qty: 1 }] })).summary, '1 item for Acme Corp');
  });

  test('without items, summarises by customer and adds no items field', () => {
    const request = orderToApprovalRequest(order({ items: [] }));
    assert.equal(request.summary, 'Order for Acme Corp');
    assert.equal(request.fields && 'items' in request.fields, false);
  });

  test('names the person who asked as requester, else the customer', () => {
    assert.equal(orderToApprovalRequest(order({ requestedBy: 'sam@acme.test' })).requester, 'sam@acme.test');
    assert.equal(orderToApprovalRequest(order()).requester, 'Acme Corp');
  });

  test('produces a request the approval activity accepts unchanged', () => {
    const request = orderToApprovalRequest(order({ items: [{ sku: 'SKU-9', qty: 4 }], requestedBy: 'sam@acme.test' }));
    assert.deepEqual(approvalRequestSchema.parse(request), request);
  });
});

test('orderWorkflowId is the business id: order-<order id>', () => {
  assert.equal(orderWorkflowId('ord-1001'), 'order-ord-1001');
});
