/**
 * Agency subscriptions: an agency's own webhook endpoint that receives the domain events of its orders, signed with
 * Standard Webhooks and retried on the order's delivery schedule, as platform notices are. Pure: the use cases read
 * and write the records.
 */
import { createHash } from 'node:crypto';
import { nextAttemptDelayMs } from './notices';
import type { OrderRecord } from './records';

/** Every event a subscription may take (docs/webhooks.md, "Agency subscriptions"); the bus carries each of them. */
export const SUBSCRIPTION_EVENTS = [
  'takedown.served',
  'takedown.notified',
  'takedown.items_answered',
  'takedown.deadline_approaching',
  'takedown.reminder',
  'takedown.fine_notice',
  'takedown.blocking_referral',
  'takedown.referred_for_blocking',
  'takedown.complied',
  'takedown.complied_late',
  'takedown.withdrawn',
  'takedown.review_reminder',
  'takedown.review_decided',
  'takedown.clarification_requested',
  'takedown.clarified',
  'takedown.order_final',
  'platform.undeliverable',
] as const;
export type SubscriptionEvent = (typeof SUBSCRIPTION_EVENTS)[number];

/**
 * Set in a bus event's detail (`true`) when an active subscription of the order's agency takes the event: the bus
 * rule matches on it, so events nobody subscribed to start no delivery. Never part of what a subscription receives.
 */
export const SUBSCRIBED_MARK = 'subscribed';

export const isSubscriptionEvent = (name: string): name is SubscriptionEvent =>
  (SUBSCRIPTION_EVENTS as readonly string[]).includes(name);

export type SubscriptionStatus = 'active' | 'disabled';

export interface SubscriptionDelivery {
  at: string;
  event: string;
  attempt: number;
  httpStatus: number | null;
  error: string | null;
}

export interface SubscriptionRecord {
  subscriptionId: string;
  agencyId: string;
  url: string;
  events: SubscriptionEvent[];
  status: SubscriptionStatus;
  createdAt: string;
  disabledAt: string | null;
  lastDelivery: SubscriptionDelivery | null;
}

/** The names of `requested` that are not subscription events, in the order given, each once. */
export function unknownEvents(requested: readonly string[]): string[] {
  return [...new Set(requested.filter((name) => !isSubscriptionEvent(name)))];
}

/** Whether a subscription is owed an event: it is active and takes that event. */
export const wantsEvent = (subscription: SubscriptionRecord, event: string): boolean =>
  subscription.status === 'active' && (subscription.events as readonly string[]).includes(event);

/** Same (event, subscription) → same id, so a retry carries the id the receiver already saw. */
export function subscriptionWebhookId(eventId: string, subscriptionId: string): string {
  const digest = createHash('sha256').update(`${eventId}\n${subscriptionId}`).digest('base64url');
  return `msg_${digest.slice(0, 32)}`;
}

/** One bus event as the delivery function receives it (the EventBridge envelope, trimmed). */
export interface BusEvent {
  id: string;
  type: string;
  time: string;
  detail: Record<string, unknown>;
}

/** The body sent to a subscription: the event, the order it is about, and the event's own facts. */
export function subscriptionPayload(
  event: BusEvent,
  order: Pick<OrderRecord, 'orderId' | 'reference' | 'platformId' | 'status' | 'stage'>,
) {
  const { orderId: _orderId, platformId: _platformId, [SUBSCRIBED_MARK]: _mark, ...detail } = event.detail;
  return {
    type: event.type,
    timestamp: event.time,
    data: {
      eventId: event.id,
      order: {
        id: order.orderId,
        reference: order.reference,
        platformId: order.platformId,
        status: order.status,
        stage: order.stage,
      },
      detail,
    },
  };
}

export interface AttemptResult {
  httpStatus: number | null;
  retryAfterSeconds: number | null;
  error: string | null;
}

/**
 * What one failed or successful attempt means for a subscription: delivered, disabled (`410 Gone`), tried again
 * after a delay, or given up (the schedule is spent). `attempt` counts from 1.
 */
export function afterSubscriptionAttempt(
  result: AttemptResult,
  attempt: number,
  schedule: readonly string[],
):
  | { outcome: 'delivered' }
  | { outcome: 'disabled' }
  | { outcome: 'retry'; delayMs: number }
  | { outcome: 'gave_up' } {
  if (result.httpStatus !== null && result.httpStatus >= 200 && result.httpStatus < 300)
    return { outcome: 'delivered' };
  if (result.httpStatus === 410) return { outcome: 'disabled' };
  const delayMs = nextAttemptDelayMs(schedule, attempt, result.httpStatus, result.retryAfterSeconds);
  return delayMs === null ? { outcome: 'gave_up' } : { outcome: 'retry', delayMs };
}

/** A subscription as the API shows it (the secret is never part of it). */
export function subscriptionView(subscription: SubscriptionRecord) {
  return {
    id: subscription.subscriptionId,
    url: subscription.url,
    events: subscription.events,
    status: subscription.status,
    createdAt: subscription.createdAt,
    disabledAt: subscription.disabledAt,
    lastDelivery: subscription.lastDelivery,
  };
}
export type SubscriptionView = ReturnType<typeof subscriptionView>;
