import { auditEventView } from '../domain/audit-chain';
import { NotFoundError } from '../domain/errors';
import { fineAmount } from '../domain/fine-formula';
import type { OrderRecord } from '../domain/records';
import type { Deps } from './deps';
import { verifyAuditTrail } from './verify-audit-trail';
import { itemView, orderSummary, orderView } from './views';

const FIRST_PAGE = 100;

export type ReadOrdersDeps = Pick<Deps, 'orders' | 'clock' | 'chainSigner'>;

/**
 * Who reads: an agency's id, or `OPERATOR_READER` for the ministry's operators, who read every agency's orders.
 * Another agency's order is reported as missing, so that ids reveal nothing.
 */
export const OPERATOR_READER = null;
export type Reader = string | typeof OPERATOR_READER;

async function ownOrder(deps: Pick<Deps, 'orders'>, agencyId: Reader, orderId: string): Promise<OrderRecord> {
  const order = await deps.orders.getOrder(orderId);
  if (order === null || (agencyId !== OPERATOR_READER && order.agencyId !== agencyId))
    throw new NotFoundError(`order ${orderId} does not exist`);
  return order;
}

export async function getOrder(
  deps: Pick<Deps, 'orders' | 'clock'>,
  input: { agencyId: Reader; orderId: string },
) {
  const order = await ownOrder(deps, input.agencyId, input.orderId);
  const now = deps.clock.now();
  const [page, deliveries, allItems, notices] = await Promise.all([
    deps.orders.listItems(order.orderId, { limit: FIRST_PAGE, cursor: null }),
    deps.orders.listDeliveries(order.orderId, 100),
    order.st2At === null ? Promise.resolve([]) : deps.orders.allItems(order.orderId),
    deps.orders.listNotices(order.orderId),
  ]);
  const fine = allItems.reduce((sum, item) => sum + fineAmount(order, item, now), 0);
  return orderView(order, page.items, page.nextCursor, deliveries, fine, now, notices);
}

export async function listItems(
  deps: Pick<Deps, 'orders' | 'clock'>,
  input: { agencyId: Reader; orderId: string; limit: number; cursor: string | null },
) {
  const order = await ownOrder(deps, input.agencyId, input.orderId);
  const page = await deps.orders.listItems(order.orderId, { limit: input.limit, cursor: input.cursor });
  const now = deps.clock.now();
  return { items: page.items.map((item) => itemView(order, item, now)), nextCursor: page.nextCursor };
}

export async function listOrders(
  deps: Pick<Deps, 'orders'>,
  input: {
    agencyId: string;
    status: string | null;
    platformId: string | null;
    limit: number;
    cursor: string | null;
  },
) {
  const page = await deps.orders.listOrders(
    input.agencyId,
    { status: input.status, platformId: input.platformId },
    { limit: input.limit, cursor: input.cursor },
  );
  return { items: page.items.map(orderSummary), nextCursor: page.nextCursor };
}

export async function getAudit(
  deps: Pick<Deps, 'orders' | 'chainSigner'>,
  input: { agencyId: Reader; orderId: string; limit: number; cursor: string | null },
) {
  const order = await ownOrder(deps, input.agencyId, input.orderId);
  const [page, trail] = await Promise.all([
    deps.orders.listAudit(order.orderId, { limit: input.limit, cursor: input.cursor }),
    deps.orders.auditTrail(order.orderId),
  ]);
  return {
    items: page.items.map(auditEventView),
    nextCursor: page.nextCursor,
    head: trail.head,
    // Always over the whole chain, whatever page was asked for.
    verification: await verifyAuditTrail(deps.chainSigner, trail.events, trail.head),
  };
}
