import { parseDurationMs } from './duration';
import type { PolicyDocument, Urgency } from './policy';

export const STAGES = ['order', 'st1', 'st2', 'st3'] as const;
export type Stage = (typeof STAGES)[number];

export const ORDER_STATUSES = [
  // A large order whose items are still being written in the background (issue 11): not yet notified.
  'accepting',
  'notifying',
  'awaiting_platform',
  'under_review',
  'complied',
  'complied_late',
  'withdrawn',
  'referred_for_blocking',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const FINAL_ORDER_STATUSES: readonly OrderStatus[] = [
  'complied',
  'complied_late',
  'withdrawn',
  'referred_for_blocking',
];
export const isFinalOrderStatus = (status: OrderStatus): boolean => FINAL_ORDER_STATUSES.includes(status);

export const ITEM_STATUSES = ['pending', 'resolved', 'disputed', 'withdrawn'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];
export const ITEM_OUTCOMES = ['removed', 'restricted', 'account_suspended', 'not_found', 'rejected'] as const;
export type ItemOutcome = (typeof ITEM_OUTCOMES)[number];

export const OUTBOUND_EVENTS = [
  'takedown.requested',
  'takedown.reminder',
  'takedown.fine_notice',
  'takedown.blocking_referral',
  'takedown.withdrawn',
  'takedown.review_decided',
  'takedown.clarified',
  'takedown.deadline_approaching',
] as const;
export type OutboundEvent = (typeof OUTBOUND_EVENTS)[number];

/**
 * The escalation ladder, in order: each stage and the webhook that announces it (none for the first one: the order
 * itself was the announcement). The last stage ends in a blocking referral.
 */
const LADDER: readonly { stage: Stage; announcedBy: OutboundEvent | null }[] = [
  { stage: 'order', announcedBy: null },
  { stage: 'st1', announcedBy: 'takedown.reminder' },
  { stage: 'st2', announcedBy: 'takedown.fine_notice' },
  { stage: 'st3', announcedBy: 'takedown.blocking_referral' },
];

/** The webhook that announced a stage; null for the first stage. */
export function announcingEvent(stage: Stage): OutboundEvent | null {
  return LADDER.find((rung) => rung.stage === stage)?.announcedBy ?? null;
}

/** Whether a stage is the last one (nothing comes after it, and it has no deadline). */
export const isLastStage = (stage: Stage): stage is 'st3' => LADDER.at(-1)?.stage === stage;

/** What comes after a stage, the webhook that announces it, and whether it is the last; null after the last. */
export function nextStage(stage: Stage): { stage: Stage; event: OutboundEvent; final: boolean } | null {
  const next = LADDER[LADDER.findIndex((rung) => rung.stage === stage) + 1];
  if (next === undefined || next.announcedBy === null) return null;
  return { stage: next.stage, event: next.announcedBy, final: isLastStage(next.stage) };
}

/** How long the platform has at a stage; ST3 has no deadline because it ends in a blocking referral. */
export function stageDurationMs(policy: PolicyDocument, urgency: Urgency, stage: Stage): number | null {
  if (isLastStage(stage)) return null;
  return parseDurationMs(policy.deadlines[urgency][stage]);
}

/** deadline = start of the stage (delivery for the first one) + the policy's duration for that stage. */
export function deadlineFor(
  policy: PolicyDocument,
  urgency: Urgency,
  stage: Stage,
  startedAt: Date,
): Date | null {
  const duration = stageDurationMs(policy, urgency, stage);
  return duration === null ? null : new Date(startedAt.getTime() + duration);
}

/** What an answer does to an item: a rejection opens a dispute, anything else resolves it. */
export function statusAfterOutcome(outcome: ItemOutcome): ItemStatus {
  return outcome === 'rejected' ? 'disputed' : 'resolved';
}

/** Whether an item in this status still accepts a platform answer. */
export const acceptsAnswer = (status: ItemStatus): boolean => status === 'pending' || status === 'disputed';

/** On time means we received the answer no later than the deadline in force for that item. */
export function isOnTime(answeredAt: Date, deadlineInForce: Date | null): boolean {
  return deadlineInForce === null || answeredAt.getTime() <= deadlineInForce.getTime();
}

/** An upheld item's own deadline can only extend the order's; the later of the two is in force. */
export function effectiveDeadline(orderDeadline: Date | null, itemDeadline: Date | null): Date | null {
  if (orderDeadline === null) return itemDeadline;
  if (itemDeadline === null) return orderDeadline;
  return itemDeadline.getTime() > orderDeadline.getTime() ? itemDeadline : orderDeadline;
}

export interface ItemSummary {
  status: ItemStatus;
  onTime: boolean | null;
}

/**
 * The status an order ends in once nothing is open: withdrawal and ST3 referral win, then `complied` only when
 * the order never left its first stage and every resolved item was answered on time.
 */
export function finalOrderStatus(input: {
  currentStatus: OrderStatus;
  stage: Stage;
  items: readonly ItemSummary[];
}): OrderStatus {
  if (input.currentStatus === 'withdrawn') return input.currentStatus;
  if (isLastStage(input.stage)) return 'referred_for_blocking';
  const resolved = input.items.filter((item) => item.status === 'resolved');
  if (resolved.length === 0) return 'withdrawn';
  const allOnTime = resolved.every((item) => item.onTime === true);
  return allOnTime && input.stage === 'order' ? 'complied' : 'complied_late';
}

/** The live (non-final) status that matches what is still open. */
export function openOrderStatus(pending: number, disputed: number): OrderStatus {
  return pending === 0 && disputed > 0 ? 'under_review' : 'awaiting_platform';
}

export interface ItemCounts {
  total: number;
  pending: number;
  resolved: number;
  disputed: number;
  withdrawn: number;
}

export function countItems(statuses: Iterable<ItemStatus>): ItemCounts {
  const counts: ItemCounts = { total: 0, pending: 0, resolved: 0, disputed: 0, withdrawn: 0 };
  for (const status of statuses) {
    counts.total += 1;
    counts[status] += 1;
  }
  return counts;
}
