import { parseDurationMs } from './duration';
import { itemFine } from './fines';
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
const ceilSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

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

export interface Evaluation {
  status: OrderStatus;
  stage: Stage;
  done: boolean;
  pending: number;
  disputed: number;
  deadlinePassed: boolean;
  waitSeconds: number;
  reviewReminder: boolean;
}

/**
 * What the workflow does next at `now`, from the items themselves: finish once nothing is open (or at the last
 * stage), escalate when a pending item's deadline passed, else wait for the earliest deadline; with only disputes
 * left, remind the agency every review period. `set` is what the order marker must record (recounted items, the
 * live status, when the last reminder went out).
 */
export function evaluateOrder(
  order: OrderRecord,
  items: readonly ItemRecord[],
  now: Date,
): { evaluation: Evaluation; set: Partial<OrderRecord> } {
  const counts = countItems(items.map((item) => item.status));
  const done =
    isFinalOrderStatus(order.status) ||
    isLastStage(order.stage) ||
    (counts.pending === 0 && counts.disputed === 0);
  const earliest = earliestOpenDeadline(order, items);
  const deadlinePassed =
    !done && counts.pending > 0 && earliest !== null && earliest.getTime() <= now.getTime();
  const reviewPeriod = parseDurationMs(order.policy.reviewReminderPeriod);
  // Without a deadline to wait for (not yet notified), look again after a review period rather than spin.
  let waitSeconds = ceilSeconds(reviewPeriod);
  let reviewReminder = false;
  const set: Partial<OrderRecord> = {};
  if (!done && counts.pending > 0 && earliest !== null) {
    waitSeconds = ceilSeconds(earliest.getTime() - now.getTime());
  } else if (!done && counts.pending === 0) {
    const since = new Date(order.lastReviewReminderAt ?? order.disputedSince ?? now.toISOString());
    const due = since.getTime() + reviewPeriod;
    reviewReminder = due <= now.getTime();
    if (reviewReminder) set.lastReviewReminderAt = now.toISOString();
    waitSeconds = ceilSeconds(reviewReminder ? reviewPeriod : due - now.getTime());
  }
  const status =
    done || order.status === 'notifying' ? order.status : openOrderStatus(counts.pending, counts.disputed);
  if (status !== order.status) set.status = status;
  if (countsDiffer(order.itemCounts, counts)) set.itemCounts = counts;
  return {
    evaluation: {
      status,
      stage: order.stage,
      done,
      pending: counts.pending,
      disputed: counts.disputed,
      deadlinePassed,
      waitSeconds,
      reviewReminder,
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
  const due = earliest !== null && earliest.getTime() <= now.getTime();
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
 * The status an order ends in and the fine it ends with; a withdrawn order the platform was notified of still has
 * to hear of the withdrawal. An order finalized before keeps its status.
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
    status === 'withdrawn' && order.withdrawal !== null && order.notifiedAt !== null
      ? 'takedown.withdrawn'
      : null;
  const fineAccrued = items.reduce((sum, item) => sum + itemFine({ order, item }, now), 0);
  return { status, notify, fineAccrued };
}

/**
 * Final statuses whose event another step already put on the bus (the withdrawal, the ST3 referral): announcing
 * them again at finalize would hand enforcement systems a second one.
 */
export const announcedBeforeFinalize = (status: OrderStatus): boolean =>
  status === 'withdrawn' || status === 'referred_for_blocking';
