import { Webhook } from 'standardwebhooks';
import { SYSTEM_ACTOR } from '../domain/audit';
import { onNoticeReceived } from '../domain/legal-clock';
import {
  afterWebhookAttempt,
  cancelNotice,
  type NoticeRecord,
  noticeWebhookId,
  type WebhookAttemptOutcome,
} from '../domain/notices';
import { secretsInForce } from '../domain/platform-secrets';
import type { OrderRecord, WebhookHealth } from '../domain/records';
import { checkAddress, checkWebhookUrl, UnsafeWebhookUrlError } from '../domain/webhook-url-policy';
import { openItemsFor, splitIntoParts, webhookPayload } from '../domain/webhooks';
import type { DomainEvent, WebhookResult } from '../ports';
import type { Deps } from './deps';
import { changeOrder } from './order-changes';

export const WEBHOOK_TIMEOUT_MS = 10_000;

export interface DeliverInput {
  orderId: string;
  noticeId: string;
}

export interface DeliverResult {
  /** `delivered`: every part answered 2xx; `failed`: tried again later (or given up); `skipped`: nothing to send. */
  outcome: 'delivered' | 'failed' | 'skipped';
  noticeId: string;
}

export type DeliverWebhookDeps = Pick<
  Deps,
  'orders' | 'platforms' | 'secrets' | 'events' | 'webhooks' | 'clock' | 'webhookRules' | 'resolveHost'
>;

/** During a rotation we sign with every notification secret in force: both signatures go in one header. */
export function signatureHeader(secrets: string[], webhookId: string, timestamp: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(webhookId, timestamp, body)).join(' ');
}

const isSuccess = (result: Pick<WebhookResult, 'httpStatus'>): boolean =>
  result.httpStatus !== null && result.httpStatus >= 200 && result.httpStatus < 300;

/** The webhook's health after an attempt: a success clears it, a failure starts (or continues) a failing run. */
export function healthAfter(health: WebhookHealth, outcome: WebhookAttemptOutcome, at: Date): WebhookHealth {
  if (outcome.delivered) {
    return {
      state: 'ok',
      lastAttemptAt: at.toISOString(),
      lastError: null,
      lastHttpStatus: outcome.httpStatus,
      failingSince: null,
    };
  }
  return {
    state: 'failing',
    lastAttemptAt: at.toISOString(),
    lastError: outcome.error ?? `HTTP ${outcome.httpStatus}`,
    lastHttpStatus: outcome.httpStatus,
    failingSince: health.failingSince ?? at.toISOString(),
  };
}

/** One attempt at one notice (all its parts) to the order's platform; the next attempt is planned on the notice. */
export async function deliverWebhook(deps: DeliverWebhookDeps, input: DeliverInput): Promise<DeliverResult> {
  const skipped: DeliverResult = { outcome: 'skipped', noticeId: input.noticeId };
  const [order, notice] = await Promise.all([
    deps.orders.getOrder(input.orderId),
    deps.orders.getNotice(input.orderId, input.noticeId),
  ]);
  if (order === null || notice === null || notice.webhook.state !== 'pending') return skipped;
  // A withdrawal cancels every other notice that has not reached the platform; only its own notice still goes out.
  if (order.status === 'withdrawn' && notice.event !== 'takedown.withdrawn') {
    await changeOrder(deps, order.orderId, async () => ({
      result: null,
      change: { set: {}, items: [], notices: [cancelNotice(notice)], audit: null },
    }));
    return skipped;
  }
  const outcome = await sendNotice(deps, order, notice);
  await recordOutcome(deps, order.orderId, notice.noticeId, outcome);
  // The platform's health counts calls to its endpoint: a disabled one was not called, its last error stays.
  if (outcome.endpointCalled)
    await deps.platforms.recordDelivery(order.platformId, {
      channel: 'webhook',
      at: outcome.at.toISOString(),
      delivered: outcome.delivered,
      httpStatus: outcome.httpStatus,
      error: outcome.error,
    });
  return { outcome: outcome.delivered ? 'delivered' : 'failed', noticeId: notice.noticeId };
}

/** Sends every part, recording each attempt; stops at the first part that fails (a retry sends them all again). */
async function sendNotice(
  deps: DeliverWebhookDeps,
  order: OrderRecord,
  notice: NoticeRecord,
): Promise<WebhookAttemptOutcome & { at: Date; endpointCalled: boolean }> {
  const platform = await deps.platforms.get(order.platformId);
  const secrets = await deps.secrets.get(order.platformId);
  const now = deps.clock.now();
  if (platform === null || secrets === null || platform.status === 'disabled') {
    const error = 'the platform endpoint is disabled';
    await deps.orders.recordDelivery(
      attemptRecord(order, notice, now, { part: 1, parts: 1 }, { httpStatus: null, latencyMs: 0, error }),
    );
    return {
      delivered: false,
      httpStatus: null,
      retryAfterSeconds: null,
      error,
      at: now,
      endpointCalled: false,
    };
  }
  const open = openItemsFor(order, await deps.orders.allItems(order.orderId), notice.event, now);
  const parts = splitIntoParts(open);
  const signWith = secretsInForce(secrets, 'notificationSecret', now);
  let last: WebhookResult = {
    httpStatus: null,
    latencyMs: 0,
    retryAfterSeconds: null,
    error: 'no part sent',
  };
  let at = now;
  for (const [index, partItems] of parts.entries()) {
    const part = { part: index + 1, parts: parts.length };
    const webhookId = noticeWebhookId(order.orderId, notice.noticeId, part.part);
    at = deps.clock.now();
    const body = JSON.stringify(
      webhookPayload(order, notice, { items: partItems, ...part, totalOpenItems: open.length }, at),
    );
    last = await sendChecked(
      deps,
      platform.webhookUrl,
      {
        'content-type': 'application/json',
        'webhook-id': webhookId,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signatureHeader(signWith, webhookId, at, body),
      },
      body,
    );
    await deps.orders.recordDelivery(attemptRecord(order, notice, at, part, last));
    if (!isSuccess(last)) break;
  }
  if (last.httpStatus === 410) {
    // 410 Gone: the platform told us to stop; an operator re-enables it (redelivery). Email still serves it.
    await deps.platforms.update(platform.platformId, { status: 'disabled', disabledAt: at.toISOString() });
  }
  return {
    delivered: isSuccess(last),
    httpStatus: last.httpStatus,
    retryAfterSeconds: last.retryAfterSeconds,
    error: last.error,
    at,
    endpointCalled: parts.length > 0,
  };
}

/** The notice, the webhook's health and, on receipt, the legal clock, in one change of the order. */
async function recordOutcome(
  deps: DeliverWebhookDeps,
  orderId: string,
  noticeId: string,
  outcome: WebhookAttemptOutcome & { at: Date },
): Promise<void> {
  const { before, after, result } = await changeOrder(deps, orderId, async (order) => {
    const notice = await deps.orders.getNotice(orderId, noticeId);
    if (notice === null) return { result: null, change: null };
    const updated = afterWebhookAttempt(notice, outcome, order.policy.deliveryRetrySchedule, outcome.at);
    const receipt = outcome.delivered ? onNoticeReceived(order, notice.event, 'webhook', outcome.at) : null;
    return {
      result: receipt,
      change: {
        set: {
          webhookHealth: healthAfter(order.webhookHealth, outcome, outcome.at),
          ...(receipt?.set ?? {}),
        },
        items: [],
        notices: [updated],
        audit:
          receipt === null
            ? null
            : {
                orderId,
                at: outcome.at.toISOString(),
                actor: SYSTEM_ACTOR,
                action: receipt.action,
                stage: order.stage,
                details: {
                  noticeId,
                  deadlineAt: (receipt.set.deadlineAt as string | null | undefined) ?? order.deadlineAt,
                },
              },
      },
    };
  });
  await deps.events.publish(receiptEvents(before, after, result?.served === true));
}

/** `takedown.served` when this receipt served the order, `takedown.notified` at the first webhook acknowledgement. */
export function receiptEvents(before: OrderRecord, after: OrderRecord, served: boolean): DomainEvent[] {
  const events: DomainEvent[] = [];
  const base = { orderId: after.orderId, platformId: after.platformId, agencyId: after.agencyId };
  if (served) {
    events.push({
      type: 'takedown.served',
      ...base,
      detail: {
        servedAt: after.servedAt,
        servedVia: after.servedVia,
        deadlineAt: after.deadlineAt,
        agencyId: after.agencyId,
      },
    });
  }
  if (before.notifiedAt === null && after.notifiedAt !== null) {
    events.push({
      type: 'takedown.notified',
      ...base,
      detail: { notifiedAt: after.notifiedAt, deadlineAt: after.deadlineAt },
    });
  }
  return events;
}

/** One POST, after checking the URL and every address its host resolves to against the webhook URL rules. */
export async function sendChecked(
  deps: Pick<Deps, 'webhooks' | 'webhookRules' | 'resolveHost'>,
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<WebhookResult> {
  try {
    const parsed = checkWebhookUrl(url, deps.webhookRules);
    const addresses = await deps.resolveHost(parsed.hostname.replace(/^\[|\]$/g, ''));
    for (const address of addresses) checkAddress(address, deps.webhookRules);
  } catch (error) {
    const reason =
      error instanceof UnsafeWebhookUrlError ? `refused: ${error.message}` : 'the host name did not resolve';
    return { httpStatus: null, latencyMs: 0, retryAfterSeconds: null, error: reason };
  }
  return deps.webhooks.send({ url, headers, body, timeoutMs: WEBHOOK_TIMEOUT_MS });
}

function attemptRecord(
  order: OrderRecord,
  notice: NoticeRecord,
  at: Date,
  part: { part: number; parts: number },
  result: Pick<WebhookResult, 'httpStatus' | 'latencyMs' | 'error'>,
) {
  return {
    orderId: order.orderId,
    at: at.toISOString(),
    noticeId: notice.noticeId,
    channel: 'webhook' as const,
    event: notice.event,
    stage: notice.stage,
    attempt: notice.webhook.attempts + 1,
    ...part,
    webhookId: noticeWebhookId(order.orderId, notice.noticeId, part.part),
    httpStatus: result.httpStatus,
    latencyMs: result.latencyMs,
    error: result.error,
  };
}
