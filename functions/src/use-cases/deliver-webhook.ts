import { Webhook } from 'standardwebhooks';
import { SYSTEM_ACTOR } from '../domain/audit';
import { parseDurationMs } from '../domain/duration';
import { deadlineFor, type OutboundEvent } from '../domain/order-rules';
import { secretsInForce } from '../domain/platform-secrets';
import type { OrderRecord } from '../domain/records';
import { checkAddress, checkWebhookUrl, UnsafeWebhookUrlError } from '../domain/webhook-url-policy';
import { openItemsFor, splitIntoParts, webhookIdFor, webhookPayload } from '../domain/webhooks';
import type { Deps } from './deps';
import { changeOrder } from './order-changes';

export const WEBHOOK_TIMEOUT_MS = 10_000;

export interface DeliverInput {
  orderId: string;
  event: OutboundEvent;
  attempt: number;
}

export interface DeliverResult {
  delivered: boolean;
  retryInSeconds: number | null;
  cancelled: boolean;
}

export type DeliverWebhookDeps = Pick<
  Deps,
  'orders' | 'platforms' | 'secrets' | 'events' | 'webhooks' | 'clock' | 'webhookRules' | 'resolveHost'
>;

/** During a rotation we sign with every notification secret in force: both signatures go in one header. */
export function signatureHeader(secrets: string[], webhookId: string, timestamp: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(webhookId, timestamp, body)).join(' ');
}

/** The wait before attempt `attempt + 1` on the policy's schedule, or null when the schedule is exhausted. */
export function retryDelaySeconds(
  schedule: readonly string[],
  attempt: number,
  retryAfterSeconds: number | null,
): number | null {
  const next = schedule[attempt + 1];
  if (next === undefined) return null;
  const scheduled = Math.ceil(parseDurationMs(next) / 1000);
  return Math.max(scheduled, retryAfterSeconds ?? 0);
}

/** One attempt at delivering one event (all its parts) to the order's platform. */
export async function deliverWebhook(deps: DeliverWebhookDeps, input: DeliverInput): Promise<DeliverResult> {
  const order = await deps.orders.getOrder(input.orderId);
  if (order === null) return { delivered: false, retryInSeconds: null, cancelled: true };
  // A withdrawal cancels every other pending notification; only the withdrawal notice itself still goes out.
  if (order.status === 'withdrawn' && input.event !== 'takedown.withdrawn') {
    return { delivered: false, retryInSeconds: null, cancelled: true };
  }
  const platform = await deps.platforms.get(order.platformId);
  const secrets = await deps.secrets.get(order.platformId);
  if (platform === null || secrets === null || platform.status === 'disabled') {
    await deps.orders.recordDelivery(failedAttempt(deps, order, input, 'the platform endpoint is disabled'));
    return { delivered: false, retryInSeconds: null, cancelled: false };
  }
  const now = deps.clock.now();
  const open = openItemsFor(order, await deps.orders.allItems(order.orderId), input.event, now);
  const parts = splitIntoParts(open);
  const signWith = secretsInForce(secrets, 'notificationSecret', now);
  for (const [index, partItems] of parts.entries()) {
    const part = index + 1;
    const webhookId = webhookIdFor(order.orderId, input.event, order.stage, part);
    const timestamp = deps.clock.now();
    const body = JSON.stringify(
      webhookPayload(
        order,
        input.event,
        { items: partItems, part, parts: parts.length, totalOpenItems: open.length },
        timestamp,
      ),
    );
    const outcome = await sendOne(
      deps,
      platform.webhookUrl,
      {
        'content-type': 'application/json',
        'webhook-id': webhookId,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signatureHeader(signWith, webhookId, timestamp, body),
      },
      body,
    );
    await deps.orders.recordDelivery({
      orderId: order.orderId,
      at: timestamp.toISOString(),
      event: input.event,
      stage: order.stage,
      attempt: input.attempt,
      part,
      parts: parts.length,
      webhookId,
      httpStatus: outcome.httpStatus,
      latencyMs: outcome.latencyMs,
      error: outcome.error,
    });
    const ok = outcome.httpStatus !== null && outcome.httpStatus >= 200 && outcome.httpStatus < 300;
    if (!ok) {
      if (outcome.httpStatus === 410) {
        // 410 Gone: the platform told us to stop; an operator must re-enable it (redelivery).
        await deps.platforms.update(platform.platformId, {
          status: 'disabled',
          disabledAt: timestamp.toISOString(),
        });
        return { delivered: false, retryInSeconds: null, cancelled: false };
      }
      return {
        delivered: false,
        retryInSeconds: retryDelaySeconds(
          order.policy.deliveryRetrySchedule,
          input.attempt,
          outcome.retryAfterSeconds,
        ),
        cancelled: false,
      };
    }
  }
  if (input.event === 'takedown.requested') await startLegalClock(deps, order.orderId);
  return { delivered: true, retryInSeconds: null, cancelled: false };
}

async function sendOne(deps: DeliverWebhookDeps, url: string, headers: Record<string, string>, body: string) {
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

function failedAttempt(deps: Pick<Deps, 'clock'>, order: OrderRecord, input: DeliverInput, error: string) {
  return {
    orderId: order.orderId,
    at: deps.clock.now().toISOString(),
    event: input.event,
    stage: order.stage,
    attempt: input.attempt,
    part: 1,
    parts: 1,
    webhookId: webhookIdFor(order.orderId, input.event, order.stage, 1),
    httpStatus: null,
    latencyMs: 0,
    error,
  };
}

/** The first successful delivery of the order is the proof of notification: deadline = delivered + policy. */
async function startLegalClock(
  deps: Pick<Deps, 'orders' | 'events' | 'clock'>,
  orderId: string,
): Promise<void> {
  const { before, after } = await changeOrder(deps, orderId, async (order) => {
    if (order.notifiedAt !== null) return { result: null, change: null };
    const now = deps.clock.now();
    const deadline = deadlineFor(order.policy, order.urgency, 'order', now)?.toISOString() ?? null;
    return {
      result: null,
      change: {
        set: {
          notifiedAt: now.toISOString(),
          deadlineAt: deadline,
          status: order.status === 'notifying' ? 'awaiting_platform' : order.status,
          stageHistory: [{ stage: 'order', at: now.toISOString(), deadlineAt: deadline }],
        },
        items: [],
        audit: {
          orderId,
          at: now.toISOString(),
          actor: SYSTEM_ACTOR,
          action: 'platform_notified',
          stage: 'order',
          details: { deadlineAt: deadline },
        },
      },
    };
  });
  if (before.notifiedAt === null && after.notifiedAt !== null) {
    await deps.events.publish([
      {
        type: 'takedown.notified',
        orderId,
        platformId: after.platformId,
        detail: { notifiedAt: after.notifiedAt, deadlineAt: after.deadlineAt },
      },
    ]);
  }
}
