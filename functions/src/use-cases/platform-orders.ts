import type { PlatformAnswer } from '../domain/answers';
import { canonicalHash } from '../domain/canonical-json';
import { IdempotencyKeyReusedError, NotFoundError } from '../domain/errors';
import { fineAmount } from '../domain/fine-formula';
import type { ItemRecord, OrderRecord } from '../domain/records';
import { requestClarification } from './clarifications';
import type { Deps } from './deps';
import { applyPlatformAnswers, processOnce } from './record-platform-responses';

// The platform-side API (issue 9): a platform reads and answers the orders addressed to it with a token instead of
// the signed webhook. Answers and clarification requests go through the signed endpoint's own use cases.

const FIRST_PAGE = 100;

export type PlatformReadDeps = Pick<Deps, 'orders' | 'platformOrders' | 'clock'>;
export type PlatformAnswerDeps = Pick<Deps, 'orders' | 'webhookIds' | 'workflow' | 'events' | 'clock'>;

/** An item as the platform sees it: what webhooks carry, its status and outcome, its deadline and fine. */
export function platformItemView(order: OrderRecord, item: ItemRecord, now: Date) {
  return {
    id: item.itemId,
    kind: item.kind,
    locator: item.locator,
    status: item.status,
    outcome: item.outcome,
    reason: item.reason,
    answeredAt: item.answeredAt,
    actedAt: item.actedAt,
    deadlineAt: item.deadlineAt ?? (item.status === 'pending' ? order.deadlineAt : null),
    fineAccrued: fineAmount(order, item, now),
  };
}

export function platformOrderSummary(order: OrderRecord) {
  return {
    id: order.orderId,
    reference: order.reference,
    category: order.category,
    urgency: order.urgency,
    status: order.status,
    stage: order.stage,
    createdAt: order.createdAt,
    servedAt: order.servedAt,
    deadlineAt: order.deadlineAt,
    clockPausedSince: order.clockPausedSince,
    itemCounts: order.itemCounts,
    itemsAccepted: order.intake?.itemsAccepted ?? order.itemCounts.total,
  };
}

/** The order, when it is addressed to this platform; any other is "not found" (ids reveal nothing). */
async function addressedOrder(deps: Pick<Deps, 'orders'>, platformId: string, orderId: string) {
  const order = await deps.orders.getOrder(orderId);
  if (order === null || order.platformId !== platformId)
    throw new NotFoundError(`order ${orderId} does not exist`);
  return order;
}

export async function listPlatformOrders(
  deps: Pick<Deps, 'platformOrders'>,
  input: { platformId: string; status: string | null; limit: number; cursor: string | null },
) {
  const page = await deps.platformOrders.listOrders(
    input.platformId,
    { status: input.status },
    { limit: input.limit, cursor: input.cursor },
  );
  return { items: page.items.map(platformOrderSummary), nextCursor: page.nextCursor };
}

export async function getPlatformOrder(
  deps: Pick<Deps, 'orders' | 'clock'>,
  input: { platformId: string; orderId: string },
) {
  const order = await addressedOrder(deps, input.platformId, input.orderId);
  const page = await deps.orders.listItems(order.orderId, { limit: FIRST_PAGE, cursor: null });
  const now = deps.clock.now();
  const { currency, perItemPerPeriod, accrualPeriod, capPerItem } = order.policy.fine;
  return {
    ...platformOrderSummary(order),
    legalBasis: order.legalBasis,
    reason: order.reason,
    territorialScope: order.territorialScope,
    fine: { currency, perItemPerPeriod, accrualPeriod, capPerItem },
    withdrawalReason: order.withdrawal?.reason ?? null,
    clarification: order.clarification,
    clarifications: order.clarifications,
    auditHead: order.auditHead,
    items: page.items.map((item) => platformItemView(order, item, now)),
    nextItemsCursor: page.nextCursor,
  };
}

export async function listPlatformOrderItems(
  deps: Pick<Deps, 'orders' | 'clock'>,
  input: { platformId: string; orderId: string; limit: number; cursor: string | null },
) {
  const order = await addressedOrder(deps, input.platformId, input.orderId);
  const page = await deps.orders.listItems(order.orderId, { limit: input.limit, cursor: input.cursor });
  const now = deps.clock.now();
  return { items: page.items.map((item) => platformItemView(order, item, now)), nextCursor: page.nextCursor };
}

/** Once per Idempotency-Key when one is given, as a webhook-id is on the signed endpoint (its own key space). */
function onceIfKeyed<R>(
  deps: Pick<Deps, 'webhookIds'>,
  input: { platformId: string; idempotencyKey: string | null; request: unknown },
  work: () => Promise<R>,
): Promise<R> {
  if (input.idempotencyKey === null) return work();
  const key = `${input.platformId}#api:${input.idempotencyKey}`;
  return processOnce(deps, key, canonicalHash(input.request), work, {
    keyName: 'Idempotency-Key',
    reused: (text) => new IdempotencyKeyReusedError(text),
  });
}

export function answerPlatformOrder(
  deps: PlatformAnswerDeps,
  input: { platformId: string; orderId: string; items: PlatformAnswer[]; idempotencyKey: string | null },
) {
  const request = { orderId: input.orderId, items: input.items };
  return onceIfKeyed(deps, { ...input, request }, () =>
    applyPlatformAnswers(deps, input.platformId, { takedownRequestId: input.orderId, items: input.items }),
  );
}

export function requestPlatformClarification(
  deps: PlatformAnswerDeps,
  input: { platformId: string; orderId: string; question: string; idempotencyKey: string | null },
) {
  const request = { orderId: input.orderId, question: input.question };
  return onceIfKeyed(deps, { ...input, request }, () =>
    requestClarification(deps, {
      platformId: input.platformId,
      orderId: input.orderId,
      question: input.question,
    }),
  );
}
