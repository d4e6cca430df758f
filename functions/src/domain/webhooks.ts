import { DEADLINE_WARNING_EVENT, warningPayload } from './deadline-warnings';
import { fineIndexInputsOf, fineModelOf, itemFine } from './fine-formula';
import type { NoticeRecord } from './notices';
import { type OutboundEvent, stageDurationMs } from './order-rules';
import type { ItemRecord, OrderRecord } from './records';

export const MAX_ITEMS_PER_PART = 1_000;

/** Splits open items into numbered parts of at most `size`; an empty list still makes one (empty) part. */
export function splitIntoParts<T>(items: readonly T[], size = MAX_ITEMS_PER_PART): T[][] {
  if (size < 1) throw new RangeError('part size must be at least 1');
  if (items.length === 0) return [[]];
  const parts: T[][] = [];
  for (let start = 0; start < items.length; start += size) parts.push(items.slice(start, start + size));
  return parts;
}

/** One open item as a webhook carries it; the fine notice adds what it accrued so far. */
export interface WebhookItem {
  id: string;
  kind: ItemRecord['kind'];
  locator: string | null;
  fineAccrued?: number;
  /** The fine notice's breakdown of `fineAccrued`, with every input of the formula. */
  fineFormula?: string;
}

/**
 * The open items an event carries at `now`: every pending item (none for a withdrawal), each with its fine on the
 * fine notice.
 */
export function openItemsFor(
  order: OrderRecord,
  items: readonly ItemRecord[],
  event: OutboundEvent,
  now: Date,
): WebhookItem[] {
  if (event === 'takedown.withdrawn') return [];
  return items
    .filter((item) => item.status === 'pending')
    .map((item) => {
      const base = { id: item.itemId, kind: item.kind, locator: item.locator };
      if (event !== 'takedown.fine_notice') return base;
      const fine = itemFine(order, item, now, fineIndexInputsOf(order, item));
      return { ...base, fineAccrued: fine.amount, fineFormula: fine.formula };
    });
}

/**
 * The JSON body of one part of an event (see docs/webhooks.md): the order's facts, the part's items, and how many
 * items are open in all. The order's deadline only starts once `takedown.requested` is delivered.
 */
/** Events whose receipt starts the deadline: the order itself, and a clarification answer. */
const STARTS_THE_CLOCK = new Set<OutboundEvent>(['takedown.requested', 'takedown.clarified']);

export function webhookPayload(
  order: OrderRecord,
  notice: Pick<NoticeRecord, 'event' | 'noticeId' | 'detail' | 'stage'>,
  part: { items: readonly WebhookItem[]; part: number; parts: number; totalOpenItems: number },
  timestamp: Date,
) {
  const { currency, perItemPerPeriod, accrualPeriod, capPerItem } = order.policy.fine;
  const fine = { currency, perItemPerPeriod, accrualPeriod, capPerItem };
  const event = notice.event;
  const startsClock = STARTS_THE_CLOCK.has(event);
  const stageMs = stageDurationMs(order.policy, order.urgency, order.stage);
  return {
    type: event,
    timestamp: timestamp.toISOString(),
    data: {
      notice: { id: notice.noticeId },
      // The order's audit chain head, signed by Tenggat's key, as it stood when this was sent: keep it. A trail
      // later shown with fewer events than a head you hold was truncated (docs/security.md).
      auditHead: order.auditHead,
      order: {
        id: order.orderId,
        reference: order.reference,
        category: order.category,
        urgency: order.urgency,
        legalBasis: order.legalBasis,
        reason: order.reason,
        territorialScope: order.territorialScope,
        // Receipt of these starts the deadline: it is then this long after your 2xx.
        deadlineAt: startsClock ? null : order.deadlineAt,
        ...(startsClock && stageMs !== null
          ? { deadlineAfterReceiptSeconds: Math.round(stageMs / 1000) }
          : {}),
        stage: order.stage,
        ...(event === 'takedown.fine_notice'
          ? {
              fine: { ...fine, ...fineNoticeModel(order) },
            }
          : {}),
        ...(event === 'takedown.withdrawn' && order.withdrawal
          ? { withdrawalReason: order.withdrawal.reason }
          : {}),
      },
      ...(event === 'takedown.clarified'
        ? {
            clarification: {
              seq: notice.detail.seq,
              question: notice.detail.question,
              answer: notice.detail.answer,
            },
          }
        : {}),
      ...(event === 'takedown.review_decided' ? { review: { decision: notice.detail.decision } } : {}),
      ...(event === DEADLINE_WARNING_EVENT
        ? { warning: warningPayload(order.orderId, notice, part.totalOpenItems, timestamp) }
        : {}),
      items: part.items,
      part: part.part,
      parts: part.parts,
      totalOpenItems: part.totalOpenItems,
    },
  };
}

/** The fine notice's model: `flat`, or `points` with the parameters its items' `fineFormula` uses. */
function fineNoticeModel(order: OrderRecord) {
  const model = fineModelOf(order.policy);
  if (model.model === 'flat') return { model: model.model };
  const { maxPoints, tariffPerPoint, capPerItem, indexDefaults } = model;
  return { model: model.model, points: { maxPoints, tariffPerPoint, capPerItem, indexDefaults } };
}
