// `npm run request -- --customer ACME --amount 1200 [--currency USD] [--id X]
// [--item SKU:QTY ...] [--requested-by NAME]`: starts orderWorkflow for one order.
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { ApprovalError } from '../lib/approvals/errors';
import { newOrderId, parseItems, startOrderApproval } from '../lib/approvals/commands/start-order';
import { temporalEnv } from '../lib/env';
import { orderSchema, type Order } from '../lib/contract/orders';
import { connectTemporalWith } from '../lib/temporal';
import { cannotReachTemporal } from '../lib/temporal-connection';

const USAGE = `Usage: npm run request -- --customer NAME --amount N [--currency USD] [--id ORDER_ID]
                            [--item SKU:QTY ...] [--requested-by NAME]`;

/** Bad input: the message is shown as is, with exit code 2. */
class UsageError extends Error {}

const FLAG_OF: Record<string, string> = {
  id: '--id',
  customer: '--customer',
  amount: '--amount',
  currency: '--currency',
  items: '--item',
  requestedBy: '--requested-by',
};

function readFlags(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        customer: { type: 'string' },
        amount: { type: 'string' },
        currency: { type: 'string', default: 'USD' },
        id: { type: 'string' },
        item: { type: 'string', multiple: true },
        'requested-by': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    // Unknown flag, missing value, stray argument.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** The order the flags describe; undefined for --help. */
function parseOrder(argv: string[]): Order | undefined {
  const values = readFlags(argv);
  if (values.help) return undefined;
  const missing = (['customer', 'amount'] as const).filter((flag) => values[flag] === undefined).map((flag) => `--${flag}`);
  if (missing.length) throw new UsageError(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required`);

  // Every problem at once, each under the flag that caused it.
  const problems: string[] = [];
  // Number('') is 0 and Number('1e3') is 1000: only plain decimals are amounts.
  const amountText = values.amount?.trim() ?? '';
  const amount = /^-?\d+(\.\d+)?$/.test(amountText) ? Number(amountText) : undefined;
  if (amount === undefined) problems.push(`  --amount: "${amountText}" is not a number such as 1200 or 89.99`);
  const items = parseItems((values.item ?? []).join(','));
  if (items === null)
    problems.push(`  --item: each item is SKU:QTY with a whole quantity (for example --item ANVIL-50:4), got ${values.item?.join(' ')}`);

  const parsed = orderSchema.safeParse({
    id: values.id ?? newOrderId(),
    customer: values.customer,
    amount: amount ?? 1, // a stand-in: the bad amount is reported above already
    currency: values.currency?.trim().toUpperCase(),
    items: items ?? undefined,
    requestedBy: values['requested-by'],
  });
  for (const issue of parsed.error?.issues ?? []) {
    const field = issue.path[0];
    problems.push(`  ${typeof field === 'string' ? (FLAG_OF[field] ?? field) : 'order'}: ${issue.message}`);
  }
  if (!parsed.success || problems.length) throw new UsageError(`Invalid order:\n${problems.join('\n')}`);
  return parsed.data;
}

async function main(): Promise<number> {
  let order: Order | undefined;
  try {
    order = parseOrder(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (!order) {
    console.log(USAGE);
    return 0;
  }

  const settings = temporalEnv();
  const { TEMPORAL_TASK_QUEUE } = settings;
  let client: Client;
  try {
    // TEMPORAL_ADDRESS and its TLS, client certificate and API key, as the web and the worker connect.
    client = await connectTemporalWith(settings);
  } catch (error) {
    console.error(cannotReachTemporal(settings, error));
    return 1;
  }
  try {
    const { workflowId, runId } = await startOrderApproval(client, TEMPORAL_TASK_QUEUE, order);
    console.error(`Started orderWorkflow for order ${order.id} (${order.amount} ${order.currency}, ${order.customer}); run ${runId}.`);
    console.error('It shows in the inbox once the worker picks it up.');
    // stdout carries the workflow id alone, for scripts.
    console.log(workflowId);
    return 0;
  } catch (error) {
    if (error instanceof ApprovalError && error.code === 'DUPLICATE') {
      console.error(`${error.message} Pick another --id.`);
      return 2;
    }
    throw error;
  } finally {
    await client.connection.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
