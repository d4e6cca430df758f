import { Webhook } from 'standardwebhooks';
import type { OrderRecord } from '../domain/records';
import {
  afterSubscriptionAttempt,
  type BusEvent,
  type SubscriptionRecord,
  subscriptionPayload,
  subscriptionWebhookId,
  wantsEvent,
} from '../domain/subscriptions';
import { sendChecked } from './deliver-webhook';
import type { Deps } from './deps';

export type DeliverSubscriptionsDeps = Pick<
  Deps,
  'orders' | 'subscriptions' | 'subscriptionSecrets' | 'webhooks' | 'webhookRules' | 'resolveHost' | 'clock'
>;

export interface SubscriptionRound {
  event: BusEvent;
  /** Attempts made so far (0 before the first). */
  attempt: number;
  /** Subscriptions still owed the event; null before the first attempt (every matching one). */
  pending: string[] | null;
}

export interface SubscriptionRoundResult extends SubscriptionRound {
  pending: string[];
  /** How long to wait before the next round; 0 when nothing is pending. */
  waitSeconds: number;
}

/**
 * One attempt of one bus event to each subscription of the order's agency that is owed it. What failed is tried
 * again after the order's `deliveryRetrySchedule` (as a platform notice); `410 Gone` disables the subscription.
 */
export async function deliverToSubscriptions(
  deps: DeliverSubscriptionsDeps,
  round: SubscriptionRound,
): Promise<SubscriptionRoundResult> {
  const attempt = round.attempt + 1;
  const done: SubscriptionRoundResult = { ...round, attempt, pending: [], waitSeconds: 0 };
  const orderId = round.event.detail.orderId;
  if (typeof orderId !== 'string') return done;
  const order = await deps.orders.getOrder(orderId);
  if (order === null) return done;
  const owed = (await deps.subscriptions.list(order.agencyId)).filter(
    (subscription) =>
      wantsEvent(subscription, round.event.type) &&
      (round.pending === null || round.pending.includes(subscription.subscriptionId)),
  );
  const retries = await Promise.all(
    owed.map((subscription) => attemptOne(deps, round.event, order, subscription, attempt)),
  );
  const pending = owed.flatMap((subscription, index) =>
    retries[index] === null ? [] : [subscription.subscriptionId],
  );
  const delayMs = Math.max(0, ...retries.map((delay) => delay ?? 0));
  return { ...done, pending, waitSeconds: pending.length === 0 ? 0 : Math.max(1, Math.ceil(delayMs / 1000)) };
}

/** Sends the event to one subscription and records the attempt; answers the delay before a retry, or null. */
async function attemptOne(
  deps: DeliverSubscriptionsDeps,
  event: BusEvent,
  order: OrderRecord,
  subscription: SubscriptionRecord,
  attempt: number,
): Promise<number | null> {
  const secret = await deps.subscriptionSecrets.get(subscription.subscriptionId);
  // Deleted meanwhile: nothing more is owed.
  if (secret === null) return null;
  const at = deps.clock.now();
  const webhookId = subscriptionWebhookId(event.id, subscription.subscriptionId);
  const body = JSON.stringify(subscriptionPayload(event, order));
  const result = await sendChecked(
    deps,
    subscription.url,
    {
      'content-type': 'application/json',
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(webhookId, at, body),
    },
    body,
  );
  const next = afterSubscriptionAttempt(result, attempt, order.policy.deliveryRetrySchedule);
  await deps.subscriptions.update(subscription.agencyId, subscription.subscriptionId, {
    lastDelivery: {
      at: at.toISOString(),
      event: event.type,
      attempt,
      httpStatus: result.httpStatus,
      error: result.error ?? (next.outcome === 'delivered' ? null : `HTTP ${result.httpStatus}`),
    },
    // 410 Gone: the agency told us to stop; it subscribes again to resume.
    ...(next.outcome === 'disabled' ? { status: 'disabled' as const, disabledAt: at.toISOString() } : {}),
  });
  return next.outcome === 'retry' ? next.delayMs : null;
}
