/**
 * Notices: every message Tenggat owes a platform (the order itself, each stage, a withdrawal, a review decision, a
 * clarification answer) is one record in the order's outbox. Its webhook is retried on the policy's schedule and,
 * when the webhook has not succeeded within the service grace period, it is emailed to the platform's contact.
 * Everything here is pure: the use cases read and write the records.
 */
import { createHash } from 'node:crypto';
import { parseDurationMs } from './duration';
import type { OutboundEvent, Stage } from './order-rules';
import type { PolicyDocument, Urgency } from './policy';
import type { OrderRecord } from './records';

/** Every outbound event is a notice. */
export type NoticeEvent = OutboundEvent;

export type WebhookState = 'pending' | 'delivered' | 'gave_up' | 'cancelled';
export type EmailState = 'scheduled' | 'sent' | 'not_needed' | 'failed';

export interface NoticeWebhook {
  state: WebhookState;
  /** Attempts made so far. */
  attempts: number;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  lastError: string | null;
  lastHttpStatus: number | null;
}

export interface NoticeEmail {
  state: EmailState;
  dueAt: string;
  sentAt: string | null;
  messageId: string | null;
  attempts: number;
  lastError: string | null;
  /** The last SES event for the message (`delivery`, `bounce`, ...), when the configuration set reports it. */
  deliveryEvent: { type: string; at: string } | null;
}

export interface NoticeRecord {
  orderId: string;
  noticeId: string;
  event: NoticeEvent;
  /** The stage the order was at when the notice was created. */
  stage: Stage;
  createdAt: string;
  /** Facts the notice carries besides the order (a clarification answer, a review decision, ...). */
  detail: Record<string, unknown>;
  webhook: NoticeWebhook;
  email: NoticeEmail;
}

export const noticeIdFor = (seq: number): string => String(seq).padStart(6, '0');

/** A new notice: its first webhook attempt is due now, its email at the end of the service grace period. */
export function createNotice(input: {
  orderId: string;
  seq: number;
  event: NoticeEvent;
  stage: Stage;
  urgency: Urgency;
  policy: PolicyDocument;
  now: Date;
  detail?: Record<string, unknown>;
}): NoticeRecord {
  const grace = parseDurationMs(input.policy.serviceGracePeriod[input.urgency]);
  const firstDelay = parseDurationMs(input.policy.deliveryRetrySchedule[0] ?? 'PT0S');
  return {
    orderId: input.orderId,
    noticeId: noticeIdFor(input.seq),
    event: input.event,
    stage: input.stage,
    createdAt: input.now.toISOString(),
    detail: input.detail ?? {},
    webhook: {
      state: 'pending',
      attempts: 0,
      nextAttemptAt: new Date(input.now.getTime() + firstDelay).toISOString(),
      deliveredAt: null,
      lastError: null,
      lastHttpStatus: null,
    },
    email: {
      state: 'scheduled',
      dueAt: new Date(input.now.getTime() + grace).toISOString(),
      sentAt: null,
      messageId: null,
      attempts: 0,
      lastError: null,
      deliveryEvent: null,
    },
  };
}

/** The next notice of an order: its number follows the last one, in the same change that creates it. */
export function nextNotice(
  order: Pick<OrderRecord, 'orderId' | 'noticeSeq' | 'stage' | 'urgency' | 'policy'>,
  event: NoticeEvent,
  now: Date,
  detail: Record<string, unknown> = {},
): { notice: NoticeRecord; noticeSeq: number } {
  const seq = order.noticeSeq + 1;
  const notice = createNotice({
    orderId: order.orderId,
    seq,
    event,
    stage: order.stage,
    urgency: order.urgency,
    policy: order.policy,
    now,
    detail,
  });
  return { notice, noticeSeq: seq };
}

/** Same (order, notice, part) → same id, so a retry carries the id a receiver already saw; two notices never share. */
export function noticeWebhookId(orderId: string, noticeId: string, part: number): string {
  const digest = createHash('sha256').update(`${orderId}\n${noticeId}\n${part}`).digest('base64url');
  return `msg_${digest.slice(0, 32)}`;
}

/** Statuses after which `Retry-After` counts; any other failure follows the schedule alone. */
const RETRY_AFTER_STATUSES = new Set([429, 503]);

/** The longest delay of the schedule: the most a `Retry-After` may ask for. */
export function longestScheduledDelayMs(schedule: readonly string[]): number {
  return Math.max(0, ...schedule.map(parseDurationMs));
}

/**
 * When to try again after failed attempt number `attempts` (1 = the first), or null when the schedule is spent.
 * `Retry-After` counts only on 429 and 503, and never beyond the schedule's longest delay.
 */
export function nextAttemptDelayMs(
  schedule: readonly string[],
  attempts: number,
  httpStatus: number | null,
  retryAfterSeconds: number | null,
): number | null {
  const next = schedule[attempts];
  if (next === undefined) return null;
  const scheduled = parseDurationMs(next);
  if (httpStatus === null || !RETRY_AFTER_STATUSES.has(httpStatus) || retryAfterSeconds === null)
    return scheduled;
  const asked = Math.min(retryAfterSeconds * 1000, longestScheduledDelayMs(schedule));
  return Math.max(scheduled, asked);
}

export interface WebhookAttemptOutcome {
  /** Every part answered 2xx. */
  delivered: boolean;
  httpStatus: number | null;
  retryAfterSeconds: number | null;
  error: string | null;
}

/** The notice after one webhook attempt (all its parts). 410 Gone ends the webhook at once. */
export function afterWebhookAttempt(
  notice: NoticeRecord,
  outcome: WebhookAttemptOutcome,
  schedule: readonly string[],
  now: Date,
): NoticeRecord {
  const attempts = notice.webhook.attempts + 1;
  if (outcome.delivered) {
    return {
      ...notice,
      webhook: {
        ...notice.webhook,
        state: 'delivered',
        attempts,
        nextAttemptAt: null,
        deliveredAt: now.toISOString(),
        lastHttpStatus: outcome.httpStatus,
      },
      email: notice.email.state === 'scheduled' ? { ...notice.email, state: 'not_needed' } : notice.email,
    };
  }
  const delay =
    outcome.httpStatus === 410
      ? null
      : nextAttemptDelayMs(schedule, attempts, outcome.httpStatus, outcome.retryAfterSeconds);
  return {
    ...notice,
    webhook: {
      ...notice.webhook,
      state: delay === null ? 'gave_up' : 'pending',
      attempts,
      nextAttemptAt: delay === null ? null : new Date(now.getTime() + delay).toISOString(),
      lastError: outcome.error ?? `HTTP ${outcome.httpStatus}`,
      lastHttpStatus: outcome.httpStatus,
    },
  };
}

/** A refused email is tried again this many times in all, a minute apart and more, before it counts as failed. */
export const EMAIL_ATTEMPTS = 5;

/** The notice after its fallback email was accepted (or refused) by SES. */
export function afterEmail(
  notice: NoticeRecord,
  result: { messageId: string } | { error: string },
  now: Date,
): NoticeRecord {
  const attempts = notice.email.attempts + 1;
  if ('messageId' in result) {
    return {
      ...notice,
      email: {
        ...notice.email,
        state: 'sent',
        sentAt: now.toISOString(),
        messageId: result.messageId,
        attempts,
        lastError: null,
      },
    };
  }
  const retry = attempts < EMAIL_ATTEMPTS;
  return {
    ...notice,
    email: {
      ...notice.email,
      state: retry ? 'scheduled' : 'failed',
      dueAt: retry ? new Date(now.getTime() + attempts * 60_000).toISOString() : notice.email.dueAt,
      attempts,
      lastError: result.error,
    },
  };
}

/** When the platform received the notice: its first webhook 2xx or the email SES accepted, whichever came first. */
export function receivedAt(notice: NoticeRecord): Date | null {
  const times = [notice.webhook.deliveredAt, notice.email.sentAt]
    .filter((value): value is string => value !== null)
    .map((value) => new Date(value).getTime());
  return times.length === 0 ? null : new Date(Math.min(...times));
}

/** The email is owed: its grace period is over and the webhook has not succeeded (and was not cancelled). */
export function emailDue(notice: NoticeRecord, now: Date): boolean {
  return (
    notice.email.state === 'scheduled' &&
    notice.webhook.state !== 'delivered' &&
    notice.webhook.state !== 'cancelled' &&
    new Date(notice.email.dueAt).getTime() <= now.getTime()
  );
}

/** A webhook attempt is owed now. */
export function webhookDue(notice: NoticeRecord, now: Date): boolean {
  return (
    notice.webhook.state === 'pending' &&
    notice.webhook.nextAttemptAt !== null &&
    new Date(notice.webhook.nextAttemptAt).getTime() <= now.getTime()
  );
}

/**
 * Whether the workflow still owes this notice something. Once the order is final, a notice whose email went out
 * is settled even if its webhook could still be retried: the email is the written record, and the execution ends.
 */
export function noticeOpen(notice: NoticeRecord, orderFinal: boolean): boolean {
  if (notice.webhook.state === 'cancelled') return false;
  const webhookOpen = notice.webhook.state === 'pending';
  const emailOwed = notice.email.state === 'scheduled' && notice.webhook.state !== 'delivered';
  if (orderFinal && notice.email.state === 'sent') return false;
  return webhookOpen || emailOwed;
}

/** The next moment something about this notice comes due, or null when nothing does. */
export function nextNoticeTime(notice: NoticeRecord, orderFinal: boolean): Date | null {
  if (!noticeOpen(notice, orderFinal)) return null;
  const times: number[] = [];
  if (notice.webhook.state === 'pending' && notice.webhook.nextAttemptAt !== null)
    times.push(new Date(notice.webhook.nextAttemptAt).getTime());
  if (notice.email.state === 'scheduled' && notice.webhook.state !== 'delivered')
    times.push(new Date(notice.email.dueAt).getTime());
  return times.length === 0 ? null : new Date(Math.min(...times));
}

/** Stops a notice that no longer needs to reach the platform (the order was withdrawn before it went out). */
export function cancelNotice(notice: NoticeRecord): NoticeRecord {
  return {
    ...notice,
    webhook: { ...notice.webhook, state: 'cancelled', nextAttemptAt: null },
    email: notice.email.state === 'scheduled' ? { ...notice.email, state: 'not_needed' } : notice.email,
  };
}

/** An operator's redelivery: a failed or given-up webhook is tried again now (the email plan is unchanged). */
export function retryWebhookNow(notice: NoticeRecord, now: Date): NoticeRecord | null {
  if (notice.webhook.state !== 'pending' && notice.webhook.state !== 'gave_up') return null;
  if (notice.webhook.attempts === 0 && notice.webhook.state === 'pending') return null;
  return { ...notice, webhook: { ...notice.webhook, state: 'pending', nextAttemptAt: now.toISOString() } };
}
