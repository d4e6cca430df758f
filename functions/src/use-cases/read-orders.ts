import { auditEventView } from '../domain/audit-chain';
import { NotFoundError } from '../domain/errors';
import { fineAmount } from '../domain/fine-formula';
import { locatorSearchDigests } from '../domain/locator';
import type { OrderRecord } from '../domain/records';
import type { Deps } from './deps';
import { verifyAuditTrail } from './verify-audit-trail';
import { itemView, orderSummary, orderView } from './views';

const FIRST_PAGE = 100;

export type ReadOrdersDeps = Pick<Deps, 'orders' | 'orderList' | 'clock' | 'chainSigner'>;

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

/** Fines of larger orders past stage 2 are left to the order view: a list page reads at most one item page each. */
export const LIST_FINE_ITEMS = 100;

async function listFine(deps: Pick<Deps, 'orders'>, order: OrderRecord, now: Date): Promise<number | null> {
  if (order.st2At === null) return 0;
  if (order.itemCounts.total > LIST_FINE_ITEMS) return null;
  const page = await deps.orders.listItems(order.orderId, { limit: LIST_FINE_ITEMS, cursor: null });
  return page.items.reduce((sum, item) => sum + fineAmount(order, item, now), 0);
}

export interface ListOrdersInput {
  /** The caller's agency, or for an operator every agency (or the one it asked for). */
  agencyIds: readonly string[];
  status: string | null;
  platformId: string | null;
  stage?: string | null;
  reference?: string | null;
  /** As the agency wrote it: searched under each key it may have been stored with. */
  locator?: string | null;
  limit: number;
  cursor: string | null;
}

export async function listOrders(deps: Pick<Deps, 'orders' | 'orderList' | 'clock'>, input: ListOrdersInput) {
  const locator = input.locator ?? null;
  const page = await deps.orderList.listOrders(
    {
      agencyIds: input.agencyIds,
      status: input.status,
      stage: input.stage ?? null,
      platformId: input.platformId,
      reference: input.reference ?? null,
      locatorDigests: locator === null ? null : locatorSearchDigests(locator),
    },
    { limit: input.limit, cursor: input.cursor },
  );
  const now = deps.clock.now();
  const items = await Promise.all(
    page.items.map(async (order) => ({
      ...orderSummary(order),
      fine: { currency: order.policy.fine.currency, accrued: await listFine(deps, order, now) },
    })),
  );
  return { items, nextCursor: page.nextCursor };
}

export async function getAudit(
  deps: Pick<Deps, 'orders' | 'chainSigner'>,
  input: { agencyId: Reader; orderId: string; limit: number; cursor: string | null },
) {
  const order = await ownOrder(deps, input.agencyId, input.orderId);
  // The trail (head first), then the page through that head: the page, the head and the verification describe
  // one moment of the chain, even while the workflow appends events.
  const trail = await deps.orders.auditTrail(order.orderId);
  const page = await deps.orders.listAudit(
    order.orderId,
    { limit: input.limit, cursor: input.cursor },
    trail.head?.seq,
  );
  return {
    items: page.items.map(auditEventView),
    nextCursor: page.nextCursor,
    head: trail.head,
    // Always over the whole chain, whatever page was asked for.
    verification: await verifyAuditTrail(deps.chainSigner, trail.events, trail.head),
  };
}
