import { SYSTEM_ACTOR } from '../domain/audit';
import { fineModelDescription, fineModelOf } from '../domain/fine-formula';
import { onNoticeReceived } from '../domain/legal-clock';
import { afterEmail, cancelNotice, emailDue, type NoticeRecord } from '../domain/notices';
import { stageDurationMs } from '../domain/order-rules';
import type { OrderRecord } from '../domain/records';
import { openItemsFor } from '../domain/webhooks';
import { composeNoticeEmail, type EmailOrderFacts } from '../messages/notice-email';
import type { DomainEvent } from '../ports';
import { receiptEvents } from './deliver-webhook';
import type { Deps } from './deps';
import { noticeLetter } from './letters';
import { changeOrder } from './order-changes';

export type EmailNoticeDeps = Pick<
  Deps,
  'orders' | 'platforms' | 'events' | 'mailer' | 'clock' | 'links' | 'reports'
>;

export interface EmailNoticeResult {
  outcome: 'sent' | 'failed' | 'skipped';
  noticeId: string;
}

function orderFacts(order: OrderRecord): EmailOrderFacts {
  const stageMs = stageDurationMs(order.policy, order.urgency, order.stage);
  return {
    orderId: order.orderId,
    reference: order.reference,
    agencyId: order.agencyId,
    platformId: order.platformId,
    category: order.category,
    urgency: order.urgency,
    stage: order.stage,
    legalBasis: order.legalBasis,
    reason: order.reason,
    territorialScope: order.territorialScope,
    deadlineAt: order.deadlineAt,
    stageDuration: stageMs === null ? null : `PT${Math.round(stageMs / 1000)}S`,
    fine: order.policy.fine,
    fineModel: { model: fineModelOf(order.policy).model, ...fineModelDescription(fineModelOf(order.policy)) },
    withdrawalReason: order.withdrawal?.reason ?? null,
  };
}

/**
 * The fallback email of a notice whose webhook did not succeed within the service grace period, to the platform's
 * registered contact. Its acceptance by SES is the receipt: it serves the order, or restarts the clock after a
 * clarification, as a webhook 2xx would. Operators hear that the platform's webhook failed (`platform.undeliverable`).
 */
export async function emailNotice(
  deps: EmailNoticeDeps,
  input: { orderId: string; noticeId: string },
): Promise<EmailNoticeResult> {
  const skipped: EmailNoticeResult = { outcome: 'skipped', noticeId: input.noticeId };
  const [order, notice] = await Promise.all([
    deps.orders.getOrder(input.orderId),
    deps.orders.getNotice(input.orderId, input.noticeId),
  ]);
  const now = deps.clock.now();
  if (order === null || notice === null || !emailDue(notice, now)) return skipped;
  if (order.status === 'withdrawn' && notice.event !== 'takedown.withdrawn') {
    await changeOrder(deps, order.orderId, async () => ({
      result: null,
      change: { set: {}, items: [], notices: [cancelNotice(notice)], audit: null },
    }));
    return skipped;
  }
  const platform = await deps.platforms.get(order.platformId);
  const sent = await send(deps, order, notice, platform?.contactEmail ?? null);
  const at = deps.clock.now();
  await deps.orders.recordDelivery({
    orderId: order.orderId,
    at: at.toISOString(),
    noticeId: notice.noticeId,
    channel: 'email',
    messageId: 'messageId' in sent ? sent.messageId : null,
    event: notice.event,
    stage: notice.stage,
    attempt: notice.email.attempts + 1,
    part: 1,
    parts: 1,
    webhookId: `email:${notice.noticeId}`,
    httpStatus: null,
    latencyMs: at.getTime() - now.getTime(),
    error: 'error' in sent ? sent.error : null,
  });
  await deps.platforms.recordDelivery(order.platformId, {
    channel: 'email',
    at: at.toISOString(),
    orderId: order.orderId,
    sent: 'messageId' in sent,
    error: 'error' in sent ? sent.error : null,
  });
  const { before, after, result } = await changeOrder(deps, order.orderId, async (current) => {
    const latest = (await deps.orders.getNotice(order.orderId, notice.noticeId)) ?? notice;
    const updated = afterEmail(latest, sent, at);
    const receipt = 'messageId' in sent ? onNoticeReceived(current, notice.event, 'email', at) : null;
    return {
      result: receipt,
      change: {
        set: receipt?.set ?? {},
        items: [],
        notices: [updated],
        audit: {
          orderId: order.orderId,
          at: at.toISOString(),
          actor: SYSTEM_ACTOR,
          action: receipt?.action ?? ('messageId' in sent ? 'notice_emailed' : 'notice_email_failed'),
          stage: current.stage,
          details: {
            noticeId: notice.noticeId,
            event: notice.event,
            ...('messageId' in sent ? { messageId: sent.messageId } : { error: sent.error }),
          },
        },
      },
    };
  });
  const events: DomainEvent[] = [
    {
      type: 'platform.undeliverable',
      orderId: order.orderId,
      platformId: order.platformId,
      agencyId: order.agencyId,
      detail: {
        agencyId: order.agencyId,
        event: notice.event,
        noticeId: notice.noticeId,
        lastError: notice.webhook.lastError,
        emailed: 'messageId' in sent,
      },
    },
    ...receiptEvents(before, after, result?.served === true),
  ];
  await deps.events.publish(events);
  return { outcome: 'messageId' in sent ? 'sent' : 'failed', noticeId: notice.noticeId };
}

async function send(
  deps: EmailNoticeDeps,
  order: OrderRecord,
  notice: NoticeRecord,
  contactEmail: string | null,
): Promise<{ messageId: string } | { error: string }> {
  if (contactEmail === null) return { error: 'the platform has no registered contact address' };
  const items = openItemsFor(
    order,
    await deps.orders.allItems(order.orderId),
    notice.event,
    deps.clock.now(),
  );
  const email = composeNoticeEmail({
    order: orderFacts(order),
    notice,
    items,
    apiUrl: deps.links.apiUrl,
    portalUrl: deps.links.portalUrl,
  });
  const letter = await letterOrNone(deps, order, notice);
  try {
    return await deps.mailer.send({
      to: [contactEmail],
      ...email,
      attachments: letter === null ? email.attachments : [letter, ...email.attachments],
      tags: { orderId: order.orderId, noticeId: notice.noticeId },
    });
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** The stage's formal letter; a letter that fails to render must not hold back the notice itself. */
async function letterOrNone(deps: EmailNoticeDeps, order: OrderRecord, notice: NoticeRecord) {
  try {
    return await noticeLetter(deps, order, notice.event);
  } catch {
    return null;
  }
}

/** An SES sending event (delivery, bounce, complaint, ...) for a notice email, recorded on the notice. */
export async function recordEmailEvent(
  deps: Pick<Deps, 'orders'>,
  input: { orderId: string; noticeId: string; messageId: string; type: string; at: Date },
): Promise<void> {
  await changeOrder(deps, input.orderId, async () => {
    const notice = await deps.orders.getNotice(input.orderId, input.noticeId);
    if (notice === null || notice.email.messageId !== input.messageId) return { result: null, change: null };
    const updated: NoticeRecord = {
      ...notice,
      email: { ...notice.email, deliveryEvent: { type: input.type, at: input.at.toISOString() } },
    };
    return { result: null, change: { set: {}, items: [], notices: [updated], audit: null } };
  });
}
