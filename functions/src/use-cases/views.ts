import { fineIndexInputsOf, fineModelOf, itemFine } from '../domain/fine-formula';
import type { NoticeRecord } from '../domain/notices';
import type { DeliveryAttempt, ItemRecord, OrderRecord } from '../domain/records';

// The read models the use cases answer with; `http/schemas.ts` describes them to clients, and the handlers check
// at compile time that each view fits its schema.

/** An item as the API shows it, with its fine's breakdown: every input, so anyone can recompute the amount. */
export function itemView(order: OrderRecord, item: ItemRecord, now: Date) {
  const fine = itemFine(order, item, now, fineIndexInputsOf(order, item));
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
    fineAccrued: fine.amount,
    fine,
    duplicate: item.duplicateOf ?? null,
  };
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
    servedAt: order.servedAt,
    servedVia: order.servedVia,
    notifiedAt: order.notifiedAt,
    deadlineAt: order.deadlineAt,
    clockPausedSince: order.clockPausedSince,
    itemCounts: order.itemCounts,
    // A large order accepted in the background shows how far its items got; every other order has them all.
    itemsAccepted: order.intake?.itemsAccepted ?? order.itemCounts.total,
  };
}

export function noticeView(notice: NoticeRecord) {
  const { webhook, email } = notice;
  return {
    id: notice.noticeId,
    event: notice.event,
    stage: notice.stage,
    createdAt: notice.createdAt,
    webhook: {
      state: webhook.state,
      attempts: webhook.attempts,
      nextAttemptAt: webhook.nextAttemptAt,
      deliveredAt: webhook.deliveredAt,
      lastError: webhook.lastError,
    },
    email: {
      state: email.state,
      dueAt: email.dueAt,
      sentAt: email.sentAt,
      lastError: email.lastError,
      deliveryEvent: email.deliveryEvent,
    },
  };
}

/** A delivery attempt as the view shows it; attempts recorded before notices existed were webhooks of no notice. */
function deliveryView({ orderId: _orderId, ...attempt }: DeliveryAttempt) {
  return {
    ...attempt,
    noticeId: attempt.noticeId ?? null,
    channel: attempt.channel ?? 'webhook',
    messageId: attempt.messageId ?? null,
  };
}

export function orderView(
  order: OrderRecord,
  items: ItemRecord[],
  nextItemsCursor: string | null,
  deliveries: DeliveryAttempt[],
  fineAccrued: number,
  now: Date,
  notices: NoticeRecord[] = [],
) {
  return {
    ...orderSummary(order),
    legalBasis: order.legalBasis,
    reason: order.reason,
    territorialScope: order.territorialScope,
    officer: order.officer,
    personalDataErasedAt: order.personalDataErasedAt ?? null,
    evidence: order.evidence,
    policy: { name: order.policy.name, version: order.policy.version },
    fine: {
      currency: order.policy.fine.currency,
      model: fineModelOf(order.policy).model,
      accrued: fineAccrued,
      fineIndices: order.fineIndices ?? null,
    },
    items: items.map((item) => itemView(order, item, now)),
    nextItemsCursor,
    stageHistory: order.stageHistory,
    deliveries: deliveries.map(deliveryView),
    notices: notices.map(noticeView),
    withdrawal:
      order.withdrawal === null ? null : { reason: order.withdrawal.reason, at: order.withdrawal.at },
    executionArn: order.executionArn,
    webhookHealth: order.webhookHealth,
    clarification: order.clarification,
    clarifications: order.clarifications,
    duplicateCount: order.duplicateCount ?? 0,
  };
}

export type OrderView = ReturnType<typeof orderView>;
