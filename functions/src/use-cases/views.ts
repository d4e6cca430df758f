import { totalFine } from '../domain/fines';
import type { DeliveryAttempt, ItemRecord, OrderRecord } from '../domain/records';
import type { OrderView } from '../http/schemas';

export function itemView(order: OrderRecord, item: ItemRecord, now: Date) {
  return {
    id: item.itemId,
    kind: item.kind,
    locator: item.locator,
    status: item.status,
    outcome: item.outcome,
    reason: item.reason,
    answeredAt: item.answeredAt,
    actedAt: item.actedAt,
    onTime: item.onTime,
    deadlineAt: item.deadlineAt ?? (item.status === 'pending' ? order.deadlineAt : null),
    fineAccrued: fineOf(order, item, now),
  };
}

export function fineOf(order: OrderRecord, item: ItemRecord, now: Date): number {
  const since =
    item.status === 'pending' && order.st2At !== null ? (item.fineAccruingSince ?? order.st2At) : null;
  const until = order.finalizedAt !== null ? new Date(order.finalizedAt) : now;
  return totalFine(order.policy, item.fineSettled, since === null ? null : new Date(since), until);
}

export function orderSummary(order: OrderRecord) {
  return {
    id: order.orderId,
    agencyId: order.agencyId,
    platformId: order.platformId,
    reference: order.reference,
    category: order.category,
    status: order.status,
    stage: order.stage,
    urgency: order.urgency,
    createdAt: order.createdAt,
    notifiedAt: order.notifiedAt,
    deadlineAt: order.deadlineAt,
    itemCounts: order.itemCounts,
  };
}

export function orderView(
  order: OrderRecord,
  items: ItemRecord[],
  nextItemsCursor: string | null,
  deliveries: DeliveryAttempt[],
  fineAccrued: number,
  now: Date,
): OrderView {
  return {
    ...orderSummary(order),
    legalBasis: order.legalBasis,
    reason: order.reason,
    territorialScope: order.territorialScope,
    officer: order.officer,
    personalDataErasedAt: order.personalDataErasedAt ?? null,
    evidence: order.evidence,
    policy: { name: order.policy.name, version: order.policy.version },
    fine: { currency: order.policy.fine.currency, accrued: fineAccrued },
    items: items.map((item) => itemView(order, item, now)),
    nextItemsCursor,
    stageHistory: order.stageHistory,
    deliveries: deliveries.map(({ orderId: _orderId, ...attempt }) => attempt),
    withdrawal:
      order.withdrawal === null ? null : { reason: order.withdrawal.reason, at: order.withdrawal.at },
  };
}
