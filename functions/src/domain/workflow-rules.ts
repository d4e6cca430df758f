import { parseDurationMs } from './duration';
import { fineAmount } from './fine-formula';
import {
  announcingEvent,
  countItems,
  deadlineFor,
  effectiveDeadline,
  finalOrderStatus,
  type ItemCounts,
  isFinalOrderStatus,
  isLastStage,
  nextStage,
  type OrderStatus,
  type OutboundEvent,
  openOrderStatus,
  type Stage,
} from './order-rules';
import type { ItemRecord, OrderRecord } from './records';

const toDate = (text: string | null): Date | null => (text === null ? null : new Date(text));

/** The earliest deadline in force among pending items, or null when nothing is pending. */
export function earliestOpenDeadline(order: OrderRecord, items: readonly ItemRecord[]): Date | null {
  let earliest: Date | null = null;
  for (const item of items) {
    if (item.status !== 'pending') continue;
    const deadline = effectiveDeadline(toDate(order.deadlineAt), toDate(item.deadlineAt));
    if (deadline !== null && (earliest === null || deadline.getTime() < earliest.getTime()))
      earliest = deadline;
  }
  return earliest;
}

/** What the order's items say now: counts, the next deadline, and whether the agency is owed a review reminder. */
export interface Progress {
  pending: number;
  disputed: number;
  earliestDeadline: Date | null;
  /** Only disputes remain and the review period since the last reminder ran out: remind the agency now. */
  reviewReminder: boolean;
  /** When the next review reminder falls due (only disputes remain), or null. */
  reviewReminderDue: Date | null;
}

/**
 * The progress of an order at `now`, from the items themselves, and what its marker must record: recounted items,
 * the live status (once served), and when the last review reminder went out.
 */
export function orderProgress(
  order: OrderRecord,
  items: readonly ItemRecord[],
  now: Date,
): { progress: Progress; set: Partial<OrderRecord> } {
  const counts = countItems(items.map((item) => item.status));
  const final = isFinalOrderStatus(order.status) || order.finalizedAt !== null;
  const set: Partial<OrderRecord> = {};
  let reviewReminder = false;
  let reviewReminderDue: Date | null = null;
  if (!final && counts.pending === 0 && counts.disputed > 0) {
    const period = parseDurationMs(order.policy.reviewReminderPeriod);
    const since = new Date(order.lastReviewReminderAt ?? order.disputedSince ?? now.toISOString());
    reviewReminder = since.getTime() + period <= now.getTime();
    if (reviewReminder) set.lastReviewReminderAt = now.toISOString();
    reviewReminderDue = new Date((reviewReminder ? now.getTime() : since.getTime()) + period);
  }
  const status =
    final || order.status === 'notifying' ? order.status : openOrderStatus(counts.pending, counts.disputed);
  if (status !== order.status) set.status = status;
  if (countsDiffer(order.itemCounts, counts)) set.itemCounts = counts;
  return {
    progress: {
      pending: counts.pending,
      disputed: counts.disputed,
      earliestDeadline: earliestOpenDeadline(order, items),
      reviewReminder,
      reviewReminderDue,
    },
    set,
  };
}

function countsDiffer(left: ItemCounts, right: ItemCounts): boolean {
  return (Object.keys(right) as (keyof ItemCounts)[]).some((key) => left[key] !== right[key]);
}

export interface Escalation {
  stage: Stage;
  event: OutboundEvent | null;
  final: boolean;
}

/**
 * Moves the order to the next stage of the ladder once a pending item's deadline passed at `now`, with the new
 * stage's deadline; null `set` when nothing is due (a repeated call then re-announces the current stage, and the
 * deterministic webhook-id lets the platform drop the duplicate).
 */
export function escalateOrder(
  order: OrderRecord,
  items: readonly ItemRecord[],
  now: Date,
): { escalation: Escalation; set: Partial<OrderRecord> | null; deadlineAt: string | null; pending: number } {
  const next = nextStage(order.stage);
  const earliest = earliestOpenDeadline(order, items);
  // A paused clock (an open clarification) or an order not yet served never escalates.
  const clockRuns = order.servedAt !== null && order.clockPausedSince === null;
  const due = clockRuns && earliest !== null && earliest.getTime() <= now.getTime();
  const pending = items.filter((item) => item.status === 'pending').length;
  if (next === null || !due || isFinalOrderStatus(order.status)) {
    const current = {
      stage: order.stage,
      event: announcingEvent(order.stage),
      final: isLastStage(order.stage),
    };
    return { escalation: current, set: null, deadlineAt: order.deadlineAt, pending };
  }
  const deadlineAt = deadlineFor(order.policy, order.urgency, next.stage, now)?.toISOString() ?? null;
  return {
    escalation: next,
    set: {
      stage: next.stage,
      deadlineAt,
      stageHistory: [...order.stageHistory, { stage: next.stage, at: now.toISOString(), deadlineAt }],
      ...(next.stage === 'st2' ? { st2At: now.toISOString() } : {}),
    },
    deadlineAt,
    pending,
  };
}

/**
 * The status an order ends in and the fine it ends with; a withdrawn order the platform was served still has to
 * hear of the withdrawal. An order finalized before keeps its status.
 */
export function finalizeOrder(
  order: OrderRecord,
  items: readonly ItemRecord[],
  now: Date,
): { status: OrderStatus; notify: OutboundEvent | null; fineAccrued: number } {
  const status =
    order.finalizedAt !== null
      ? order.status
      : finalOrderStatus({ currentStatus: order.status, stage: order.stage, items });
  const notify: OutboundEvent | null =
    status === 'withdrawn' && order.withdrawal !== null && order.servedAt !== null
      ? 'takedown.withdrawn'
      : null;
  const fineAccrued = items.reduce((sum, item) => sum + fineAmount(order, item, now), 0);
  return { status, notify, fineAccrued };
}

/**
 * Whether another step already put the final event on the bus (the agency's withdrawal, the ST3 referral):
 * announcing it again at finalize would hand enforcement systems a second one. An order whose every item was
 * withdrawn through review was never announced as withdrawn, so finalize announces it.
 */
export const announcedBeforeFinalize = (
  status: OrderStatus,
  order: Pick<OrderRecord, 'withdrawal'>,
): boolean => (status === 'withdrawn' && order.withdrawal !== null) || status === 'referred_for_blocking';
