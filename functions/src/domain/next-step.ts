/**
 * The one decision the order workflow makes, over and over: given the order, its open notices and its items, what
 * is the next thing to do? Every task of the state machine returns to this decision, so an execution started for a
 * recovered order simply continues from what DynamoDB says.
 */
import { emailDue, type NoticeRecord, nextNoticeTime, noticeOpen, webhookDue } from './notices';
import type { OrderStatus, Stage } from './order-rules';

/** Evaluate never waits longer than this without looking again (a safety net, not a deadline). */
export const MAX_WAIT_MS = 24 * 3600 * 1000;

export type NextStep =
  | { next: 'escalate' | 'warn' | 'finalize' | 'done' }
  | { next: 'email' | 'deliver'; noticeId: string }
  | { next: 'wait'; wakeAt: Date };

export interface NextStepInput {
  order: {
    status: OrderStatus;
    stage: Stage;
    servedAt: string | null;
    clockPausedSince: string | null;
    finalizedAt: string | null;
  };
  notices: readonly NoticeRecord[];
  items: {
    pending: number;
    disputed: number;
    /** The earliest deadline in force among pending items. */
    earliestDeadline: Date | null;
  };
  /** When the next review reminder is due (only disputed items remain), or null. */
  reviewReminderDue: Date | null;
  /** A pre-deadline warning is owed now (see `deadlineWarnings`), and when the next one falls. */
  warning?: { due: boolean; nextAt: Date | null };
  now: Date;
}

const earliest = (times: (Date | null)[]): Date | null =>
  times.reduce<Date | null>(
    (best, time) => (time !== null && (best === null || time.getTime() < best.getTime()) ? time : best),
    null,
  );

/** The order must be closed: withdrawn, referred at ST3, or served with nothing left open. */
function mustFinalize(input: NextStepInput): boolean {
  const { order, items } = input;
  if (order.finalizedAt !== null) return false;
  if (order.status === 'withdrawn') return true;
  if (order.servedAt === null) return false;
  return order.stage === 'st3' || (items.pending === 0 && items.disputed === 0);
}

function deadlinePassed(input: NextStepInput): boolean {
  const { order, items, now } = input;
  return (
    order.finalizedAt === null &&
    order.servedAt !== null &&
    order.clockPausedSince === null &&
    items.pending > 0 &&
    items.earliestDeadline !== null &&
    items.earliestDeadline.getTime() <= now.getTime()
  );
}

/**
 * In order: close or escalate the order (escalation never waits on the platform's endpoint), warn of the deadline,
 * then the emails that are due, then the webhook attempts that are due (oldest notice first), else stop when the
 * order is final and owes nothing, else wait until the earliest of the next deadline, warning, webhook attempt,
 * email and review reminder.
 */
export function nextStep(input: NextStepInput): NextStep {
  if (mustFinalize(input)) return { next: 'finalize' };
  if (deadlinePassed(input)) return { next: 'escalate' };
  if (input.warning?.due === true) return { next: 'warn' };
  const final = input.order.finalizedAt !== null;
  const ordered = [...input.notices].sort((a, b) => a.noticeId.localeCompare(b.noticeId));
  const email = ordered.find((notice) => emailDue(notice, input.now));
  if (email) return { next: 'email', noticeId: email.noticeId };
  const webhook = ordered.find((notice) => webhookDue(notice, input.now) && noticeOpen(notice, final));
  if (webhook) return { next: 'deliver', noticeId: webhook.noticeId };
  const noticeTimes = ordered.map((notice) => nextNoticeTime(notice, final));
  if (final && noticeTimes.every((time) => time === null)) return { next: 'done' };
  const clockRuns = !final && input.order.clockPausedSince === null && input.items.pending > 0;
  const clockTimes = [
    clockRuns ? input.items.earliestDeadline : null,
    clockRuns ? (input.warning?.nextAt ?? null) : null,
    final ? null : input.reviewReminderDue,
  ];
  const cap = new Date(input.now.getTime() + MAX_WAIT_MS);
  const wakeAt = earliest([...noticeTimes, ...clockTimes, cap]) ?? cap;
  return { next: 'wait', wakeAt: wakeAt.getTime() < input.now.getTime() ? input.now : wakeAt };
}
