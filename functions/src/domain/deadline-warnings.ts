/**
 * Pre-deadline warnings: at the policy's `warnAt` fractions of the deadline in force, `takedown.deadline_approaching`
 * tells the platform how long it has left and how many items are still open. The order marker's `lastWarning`
 * records the last one put in the outbox, so a restart or a redriven execution never sends one twice; a deadline
 * that moved (a new stage, a clarification answered) has warnings of its own, and a paused clock has none.
 */
import { formatDurationSeconds } from './duration';
import type { NoticeRecord } from './notices';
import { isFinalOrderStatus, type Stage, stageDurationMs } from './order-rules';
import { policyExtensionsOf, warningTimes } from './policy-extensions';
import type { OrderRecord } from './records';

export const DEADLINE_WARNING_EVENT = 'takedown.deadline_approaching';

export type WarningOrder = Pick<
  OrderRecord,
  | 'status'
  | 'stage'
  | 'urgency'
  | 'policy'
  | 'servedAt'
  | 'clockPausedSince'
  | 'deadlineAt'
  | 'finalizedAt'
  | 'lastWarning'
>;

export interface DueWarning {
  stage: Stage;
  deadlineAt: string;
  fraction: number;
}

/** The deadline warnings can be about: the stage's deadline while the clock runs and items are pending. */
function warnedDeadline(
  order: WarningOrder,
  pending: number,
  now: Date,
): { start: Date; deadline: Date } | null {
  if (order.finalizedAt !== null || isFinalOrderStatus(order.status)) return null;
  if (order.servedAt === null || order.clockPausedSince !== null || order.deadlineAt === null) return null;
  if (pending === 0) return null;
  const deadline = new Date(order.deadlineAt);
  const span = stageDurationMs(order.policy, order.urgency, order.stage);
  if (span === null || deadline.getTime() <= now.getTime()) return null;
  // Every deadline is its stage's full time from when that time started (service, escalation, clarification).
  return { start: new Date(deadline.getTime() - span), deadline };
}

/**
 * The warning owed now (the latest fraction reached and not yet sent for this deadline: after a long outage one
 * warning, not a burst) and when the next one falls; none when the order is answered, final or paused.
 */
export function deadlineWarnings(
  order: WarningOrder,
  pending: number,
  now: Date,
): { due: DueWarning | null; nextAt: Date | null } {
  const window = warnedDeadline(order, pending, now);
  if (window === null || order.deadlineAt === null) return { due: null, nextAt: null };
  const sent = order.lastWarning?.deadlineAt === order.deadlineAt ? order.lastWarning.fraction : 0;
  const unsent = policyExtensionsOf(order.policy).warnAt.filter((fraction) => fraction > sent);
  const ahead = warningTimes(window.start, window.deadline, unsent, now);
  // Fractions ascend, so the ones not ahead of now are the first ones.
  const fraction = unsent[unsent.length - ahead.length - 1];
  return {
    due: fraction === undefined ? null : { stage: order.stage, deadlineAt: order.deadlineAt, fraction },
    nextAt: ahead[0] ?? null,
  };
}

/**
 * A warning still in the outbox that no longer says anything true: its deadline moved or passed, or nothing is
 * open any more. It is cancelled rather than delivered (or emailed) late.
 */
export function warningMoot(order: WarningOrder, notice: NoticeRecord, pending: number, now: Date): boolean {
  if (notice.event !== DEADLINE_WARNING_EVENT) return false;
  if (notice.webhook.state !== 'pending' && notice.email.state !== 'scheduled') return false;
  return warnedDeadline(order, pending, now) === null || notice.detail.deadlineAt !== order.deadlineAt;
}

/** What `takedown.deadline_approaching` tells the platform, as of the moment it is sent. */
export function warningPayload(
  orderId: string,
  notice: Pick<NoticeRecord, 'stage' | 'detail'>,
  openItems: number,
  at: Date,
) {
  const deadline = String(notice.detail.deadlineAt);
  const seconds = Math.max(0, Math.floor((Date.parse(deadline) - at.getTime()) / 1000));
  return {
    takedownRequestId: orderId,
    stage: notice.stage,
    deadline,
    timeLeft: formatDurationSeconds(seconds),
    timeLeftSeconds: seconds,
    openItems,
    fraction: Number(notice.detail.fraction),
  };
}
