import { SYSTEM_ACTOR } from '../domain/audit';
import { parseDurationMs } from '../domain/duration';
import { OrderChanged } from '../domain/errors';
import {
  countItems,
  deadlineFor,
  effectiveDeadline,
  finalOrderStatus,
  isFinalOrderStatus,
  nextStage,
  type OrderStatus,
  type OutboundEvent,
  openOrderStatus,
  type Stage,
} from '../domain/order-rules';
import type { ItemRecord, OrderRecord } from '../domain/records';
import type { DomainEvent } from '../ports';
import type { Deps } from './deps';
import { changeOrder } from './order-changes';
import { fineOf } from './views';
import { closeOpenItems } from './withdraw-order';

export interface EvaluateResult {
  version: number;
  status: OrderStatus;
  stage: Stage;
  done: boolean;
  pending: number;
  disputed: number;
  deadlinePassed: boolean;
  waitSeconds: number;
  reviewReminder: boolean;
}

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

/** Decides what the workflow does next; item counts are recomputed from the items themselves. */
export async function evaluate(deps: Deps, orderId: string): Promise<EvaluateResult> {
  const { result, after } = await changeOrder(deps, orderId, async (order) => {
    // Items are read inside the retry loop: an answer that made the commit fail is then seen on the next pass.
    const items = await deps.orders.allItems(orderId);
    const now = deps.clock.now();
    const counts = countItems(items.map((item) => item.status));
    const final = isFinalOrderStatus(order.status) || order.stage === 'st3';
    const done = final || (counts.pending === 0 && counts.disputed === 0);
    const earliest = earliestOpenDeadline(order, items);
    const deadlinePassed =
      !done && counts.pending > 0 && earliest !== null && earliest.getTime() <= now.getTime();
    const reminderSeconds = Math.max(1, Math.ceil(parseDurationMs(order.policy.reviewReminderPeriod) / 1000));
    // Without a deadline to wait for (not yet notified), look again after a review period rather than spin.
    let waitSeconds = reminderSeconds;
    let reviewReminder = false;
    const set: Partial<OrderRecord> = {};
    if (!done && counts.pending > 0 && earliest !== null) {
      waitSeconds = Math.max(1, Math.ceil((earliest.getTime() - now.getTime()) / 1000));
    } else if (!done && counts.pending === 0) {
      // Only disputes remain: remind the agency every review period until it decides.
      const period = parseDurationMs(order.policy.reviewReminderPeriod);
      const since = new Date(order.lastReviewReminderAt ?? order.disputedSince ?? now.toISOString());
      const due = since.getTime() + period;
      if (due <= now.getTime()) {
        reviewReminder = true;
        set.lastReviewReminderAt = now.toISOString();
        waitSeconds = Math.max(1, Math.ceil(period / 1000));
      } else {
        waitSeconds = Math.max(1, Math.ceil((due - now.getTime()) / 1000));
      }
    }
    const status =
      done || order.status === 'notifying' ? order.status : openOrderStatus(counts.pending, counts.disputed);
    if (status !== order.status) set.status = status;
    if (countsDiffer(order.itemCounts, counts)) set.itemCounts = counts;
    const result = {
      status,
      stage: order.stage,
      done,
      pending: counts.pending,
      disputed: counts.disputed,
      deadlinePassed,
      waitSeconds,
      reviewReminder,
    };
    if (Object.keys(set).length === 0) return { result, change: null };
    return {
      result,
      change: {
        set,
        items: [],
        audit:
          set.status === undefined && !reviewReminder
            ? null
            : {
                orderId,
                at: now.toISOString(),
                actor: SYSTEM_ACTOR,
                action: reviewReminder ? 'review_reminder' : 'status_changed',
                stage: order.stage,
                details: { status },
              },
      },
    };
  });
  if (result.reviewReminder) {
    await deps.events.publish([
      {
        type: 'takedown.review_reminder',
        orderId,
        platformId: after.platformId,
        detail: { disputed: result.disputed, agencyId: after.agencyId },
      },
    ]);
  }
  return { ...result, version: after.version };
}

function countsDiffer(left: OrderRecord['itemCounts'], right: OrderRecord['itemCounts']): boolean {
  return (Object.keys(right) as (keyof typeof right)[]).some((key) => left[key] !== right[key]);
}

/** Stores the wait's token only if nothing changed since evaluate; otherwise the machine evaluates again. */
export async function registerWait(
  deps: Deps,
  input: { orderId: string; taskToken: string; version: number; purpose: 'answers' | 'redelivery' },
): Promise<{ registered: true }> {
  const stored = await deps.orders.storeTaskToken(
    input.orderId,
    input.version,
    input.taskToken,
    input.purpose,
  );
  if (!stored) throw new OrderChanged(`order ${input.orderId} changed since version ${input.version}`);
  return { registered: true };
}

/** Moves pending items to the next stage once their deadline passed; a repeated call does not escalate twice. */
export async function escalate(
  deps: Deps,
  orderId: string,
): Promise<{ stage: Stage; event: OutboundEvent | null; final: boolean }> {
  type EscalateResult = { stage: Stage; event: OutboundEvent | null; final: boolean };
  const { result, after } = await changeOrder<EscalateResult>(deps, orderId, async (order) => {
    const items = await deps.orders.allItems(orderId);
    const now = deps.clock.now();
    const next = nextStage(order.stage);
    const earliest = earliestOpenDeadline(order, items);
    const due = earliest !== null && earliest.getTime() <= now.getTime();
    if (next === null || !due || isFinalOrderStatus(order.status)) {
      // A repeated call (e.g. a retried invocation) re-announces the current stage; the deterministic webhook-id
      // lets the platform drop the duplicate.
      return {
        result: { stage: order.stage, event: announcingEvent(order.stage), final: order.stage === 'st3' },
        change: null,
      };
    }
    const deadline = deadlineFor(order.policy, order.urgency, next.stage, now);
    const pending = items.filter((item) => item.status === 'pending').length;
    return {
      result: { stage: next.stage, event: next.event, final: next.final },
      change: {
        set: {
          stage: next.stage,
          deadlineAt: deadline?.toISOString() ?? null,
          stageHistory: [
            ...order.stageHistory,
            { stage: next.stage, at: now.toISOString(), deadlineAt: deadline?.toISOString() ?? null },
          ],
          ...(next.stage === 'st2' ? { st2At: now.toISOString() } : {}),
        },
        items: [],
        audit: {
          orderId,
          at: now.toISOString(),
          actor: SYSTEM_ACTOR,
          action: 'escalated',
          stage: next.stage,
          details: { from: order.stage, pending, deadlineAt: deadline?.toISOString() ?? null },
        },
      },
    };
  });
  if (result.event !== null) {
    const events: DomainEvent[] = [
      {
        type: result.event,
        orderId,
        platformId: after.platformId,
        detail: { stage: result.stage, deadlineAt: after.deadlineAt, pending: after.itemCounts.pending },
      },
    ];
    if (result.final) {
      events.push({
        type: 'takedown.referred_for_blocking',
        orderId,
        platformId: after.platformId,
        detail: { stage: result.stage, deadlineAt: null, pending: after.itemCounts.pending },
      });
    }
    await deps.events.publish(events);
  }
  return result;
}

/** The webhook that announced a stage (none for the first one: the order itself was the announcement). */
export function announcingEvent(stage: Stage): OutboundEvent | null {
  if (stage === 'st1') return 'takedown.reminder';
  if (stage === 'st2') return 'takedown.fine_notice';
  if (stage === 'st3') return 'takedown.blocking_referral';
  return null;
}

/** Sets the final status; a withdrawn order still has to tell the platform. */
export async function finalize(
  deps: Deps,
  orderId: string,
): Promise<{ status: OrderStatus; notify: OutboundEvent | null }> {
  const current = await deps.orders.getOrder(orderId);
  if (current?.status === 'withdrawn' && current.withdrawal !== null && current.finalizedAt === null) {
    // The withdrawal answered its caller within a time budget; close the items it did not reach.
    await closeOpenItems(deps, orderId, current.withdrawal.by);
  }
  const { result, after, before } = await changeOrder(deps, orderId, async (order) => {
    const items = await deps.orders.allItems(orderId);
    const now = deps.clock.now();
    const status =
      order.finalizedAt !== null
        ? order.status
        : finalOrderStatus({ currentStatus: order.status, stage: order.stage, items });
    // Only a platform that was notified of the order needs to hear that it is withdrawn.
    const notify: OutboundEvent | null =
      status === 'withdrawn' && order.withdrawal !== null && order.notifiedAt !== null
        ? 'takedown.withdrawn'
        : null;
    if (order.finalizedAt !== null) return { result: { status, notify }, change: null };
    const fine = items.reduce((sum, item) => sum + fineOf(order, item, now), 0);
    return {
      result: { status, notify },
      change: {
        set: { status, finalizedAt: now.toISOString(), taskToken: null, taskPurpose: null },
        items: [],
        audit: {
          orderId,
          at: now.toISOString(),
          actor: SYSTEM_ACTOR,
          action: 'finalized',
          stage: order.stage,
          details: { status, fineAccrued: fine, currency: order.policy.fine.currency },
        },
      },
    };
  });
  // The withdrawal and the ST3 escalation already put `takedown.withdrawn` / `takedown.referred_for_blocking` on
  // the bus; announcing them again would hand enforcement systems a second referral for the same order.
  const alreadyAnnounced = result.status === 'withdrawn' || result.status === 'referred_for_blocking';
  if (before.finalizedAt === null && !alreadyAnnounced) {
    await deps.events.publish([
      {
        type: `takedown.${result.status}`,
        orderId,
        platformId: after.platformId,
        detail: { stage: after.stage, itemCounts: after.itemCounts },
      },
    ]);
  }
  return result;
}

/** The platform stayed unreachable through the whole retry window: park the order and alert operators. */
export async function markUndeliverable(
  deps: Deps,
  orderId: string,
): Promise<{ status: OrderStatus; version: number }> {
  const { after, before } = await changeOrder(deps, orderId, async (order) => {
    if (order.status === 'undeliverable' || order.status === 'withdrawn')
      return { result: null, change: null };
    const now = deps.clock.now();
    return {
      result: null,
      change: {
        set: { status: 'undeliverable' },
        items: [],
        audit: {
          orderId,
          at: now.toISOString(),
          actor: SYSTEM_ACTOR,
          action: 'undeliverable',
          stage: order.stage,
          details: {},
        },
      },
    };
  });
  if (before.status !== after.status) {
    await deps.events.publish([
      {
        type: 'platform.undeliverable',
        orderId,
        platformId: after.platformId,
        detail: { agencyId: after.agencyId },
      },
    ]);
  }
  // The redelivery wait registers with this version.
  return { status: after.status, version: after.version };
}
