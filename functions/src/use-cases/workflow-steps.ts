import { SYSTEM_ACTOR } from '../domain/audit';
import { deadlineWarnings, warningMoot } from '../domain/deadline-warnings';
import { OrderChanged } from '../domain/errors';
import { fineAuditDetails } from '../domain/fine-audit';
import { type NextStep, nextStep } from '../domain/next-step';
import { cancelNotice, nextNotice, noticeOpen } from '../domain/notices';
import type { OrderStatus } from '../domain/order-rules';
import type { ItemRecord, OrderRecord } from '../domain/records';
import {
  announcedBeforeFinalize,
  type Escalation,
  escalateOrder,
  finalizeOrder,
  orderProgress,
} from '../domain/workflow-rules';
import type { DomainEvent } from '../ports';
import type { Deps } from './deps';
import { changeOrder } from './order-changes';
import { closeOpenItems } from './withdraw-order';

export type WorkflowStepDeps = Pick<Deps, 'orders' | 'events' | 'clock'>;

/**
 * A wait registered longer than this after the evaluate that planned it is stale (the execution was stopped and
 * redriven, or the machine was very busy): it evaluates again rather than wait for a time computed back then.
 */
export const STALE_WAIT_MS = 5_000;

export interface EvaluateResult {
  next: NextStep['next'];
  noticeId: string | null;
  /** For `wait`: seconds until the earliest thing that comes due. */
  waitSeconds: number;
  version: number;
  evaluatedAt: string;
}

/** Decides the one thing the workflow does next (see `nextStep`), and records what the items say on the order. */
export async function evaluate(deps: WorkflowStepDeps, orderId: string): Promise<EvaluateResult> {
  // The items are read on the first attempt only. Answers to a large order land while it reads every item, each
  // moving the marker's version: reading again after every lost race could go on until the step timed out. A later
  // attempt takes the fresh marker with the items first read and leaves the status and counts (the answers keep the
  // counts on the marker themselves) to the next evaluate. Answers only close items, so a step decided from them
  // is at worst early, and the step it names reads for itself (a wait's token is refused on a moved version).
  let firstRead: ItemRecord[] | null = null;
  const { result, after } = await changeOrder(deps, orderId, async (order) => {
    const now = deps.clock.now();
    const retry = firstRead !== null;
    const [items, notices] = await Promise.all([
      firstRead ?? deps.orders.allItems(orderId),
      deps.orders.listNotices(orderId),
    ]);
    firstRead = items;
    const { progress, set: repaired } = orderProgress(order, items, now);
    const { status: _status, itemCounts: _counts, ...rest } = repaired;
    const set: Partial<OrderRecord> = retry ? rest : repaired;
    const current = { ...order, ...set };
    const warnings = deadlineWarnings(current, progress.pending, now);
    // A warning whose deadline moved or passed, or whose items were answered, is cancelled, never sent late.
    const cancelled = notices
      .filter((notice) => warningMoot(current, notice, progress.pending, now))
      .map(cancelNotice);
    const step = nextStep({
      order: current,
      notices: notices.map((notice) => cancelled.find((c) => c.noticeId === notice.noticeId) ?? notice),
      items: progress,
      reviewReminderDue: progress.reviewReminderDue,
      warning: { due: warnings.due !== null, nextAt: warnings.nextAt },
      now,
    });
    const planned = { step, progress, now };
    if (Object.keys(set).length === 0 && cancelled.length === 0) return { result: planned, change: null };
    const audited = set.status !== undefined || progress.reviewReminder;
    return {
      result: planned,
      change: {
        set,
        items: [],
        notices: cancelled,
        audit: audited
          ? {
              orderId,
              at: now.toISOString(),
              actor: SYSTEM_ACTOR,
              action: progress.reviewReminder ? 'review_reminder' : 'status_changed',
              stage: order.stage,
              details: { status: set.status ?? order.status },
            }
          : null,
      },
    };
  });
  if (result.progress.reviewReminder) {
    await deps.events.publish([
      {
        type: 'takedown.review_reminder',
        orderId,
        platformId: after.platformId,
        agencyId: after.agencyId,
        detail: { disputed: result.progress.disputed, agencyId: after.agencyId },
      },
    ]);
  }
  const { step, now } = result;
  return {
    next: step.next,
    noticeId: 'noticeId' in step ? step.noticeId : null,
    waitSeconds:
      step.next === 'wait' ? Math.max(1, Math.ceil((step.wakeAt.getTime() - now.getTime()) / 1000)) : 0,
    version: after.version,
    evaluatedAt: now.toISOString(),
  };
}

/** Stores the wait's token only if nothing changed since evaluate and the plan is fresh; else evaluate again. */
export async function registerWait(
  deps: Pick<Deps, 'orders' | 'clock'>,
  input: { orderId: string; taskToken: string; version: number; evaluatedAt: string },
): Promise<{ registered: true }> {
  const age = deps.clock.now().getTime() - new Date(input.evaluatedAt).getTime();
  if (!(age <= STALE_WAIT_MS)) {
    throw new OrderChanged(`the wait planned at ${input.evaluatedAt} is stale; evaluating again`);
  }
  const stored = await deps.orders.storeTaskToken(input.orderId, input.version, input.taskToken);
  if (!stored) throw new OrderChanged(`order ${input.orderId} changed since version ${input.version}`);
  return { registered: true };
}

/**
 * Moves the order to the next stage once a pending item's deadline passed, with the stage's notice in the outbox;
 * a repeated call changes nothing. The deadline of the new stage runs from now, whatever its notice's delivery.
 */
export async function escalate(deps: WorkflowStepDeps, orderId: string): Promise<Escalation> {
  // The items and the moment are read once; the marker (stage, status, paused clock) afresh on every attempt.
  // Answers only turn pending items into answered ones, so an item pending past its deadline at that moment was
  // missed whatever lands after. Reading every item again on each lost race let a large order's stream of
  // answers (each moving the marker's version) keep it from escalating until the step timed out.
  let read: { now: Date; items: ItemRecord[] } | null = null;
  const { result, after, before } = await changeOrder<Escalation>(deps, orderId, async (order) => {
    read ??= { now: deps.clock.now(), items: await deps.orders.allItems(orderId) };
    const { now, items } = read;
    const { escalation, set, deadlineAt, pending } = escalateOrder(order, items, now);
    if (set === null || escalation.event === null) return { result: escalation, change: null };
    const { notice, noticeSeq } = nextNotice({ ...order, ...set }, escalation.event, now);
    return {
      result: escalation,
      change: {
        set: { ...set, noticeSeq },
        items: [],
        notices: [notice],
        audit: {
          orderId,
          at: now.toISOString(),
          actor: SYSTEM_ACTOR,
          action: 'escalated',
          stage: escalation.stage,
          details: {
            from: order.stage,
            pending,
            deadlineAt,
            noticeId: notice.noticeId,
            // The fine and every input of its formula, in the signed chain: anyone can recompute it.
            ...(escalation.stage === 'st2'
              ? { fine: fineAuditDetails({ ...order, ...set }, items, now) }
              : {}),
          },
        },
      },
    };
  });
  if (before.version !== after.version && result.event !== null) {
    const detail = { stage: result.stage, deadlineAt: after.deadlineAt, pending: after.itemCounts.pending };
    const base = { orderId, platformId: after.platformId, agencyId: after.agencyId };
    const events: DomainEvent[] = [{ type: result.event, ...base, detail }];
    if (result.final) {
      events.push({
        type: 'takedown.referred_for_blocking',
        ...base,
        detail: { ...detail, deadlineAt: null },
      });
    }
    await deps.events.publish(events);
  }
  return result;
}

/**
 * Sets the final status and takes the order out of the open-orders index. A withdrawn order cancels the notices
 * that have not reached the platform and, when the platform was served, tells it of the withdrawal.
 */
export async function finalize(
  deps: WorkflowStepDeps,
  orderId: string,
): Promise<{ status: OrderStatus; noticeId: string | null }> {
  const current = await deps.orders.getOrder(orderId);
  if (current?.status === 'withdrawn' && current.withdrawal !== null && current.finalizedAt === null) {
    // The withdrawal answered its caller within a time budget; close the items it did not reach.
    await closeOpenItems(deps, orderId, current.withdrawal.by);
  }
  let fine = 0;
  const { result, after, before } = await changeOrder(deps, orderId, async (order) => {
    const now = deps.clock.now();
    const [items, notices] = await Promise.all([
      deps.orders.allItems(orderId),
      deps.orders.listNotices(orderId),
    ]);
    const { status, notify, fineAccrued } = finalizeOrder(order, items, now);
    fine = fineAccrued;
    if (order.finalizedAt !== null) return { result: { status, noticeId: null }, change: null };
    const cancelled =
      status === 'withdrawn' ? notices.filter((notice) => noticeOpen(notice, false)).map(cancelNotice) : [];
    const withdrawal = notify === null ? null : nextNotice(order, notify, now);
    return {
      result: { status, noticeId: withdrawal?.notice.noticeId ?? null },
      change: {
        set: {
          status,
          finalizedAt: now.toISOString(),
          taskToken: null,
          ...(withdrawal ? { noticeSeq: withdrawal.noticeSeq } : {}),
        },
        items: [],
        notices: [...cancelled.slice(0, 90), ...(withdrawal ? [withdrawal.notice] : [])],
        audit: {
          orderId,
          at: now.toISOString(),
          actor: SYSTEM_ACTOR,
          action: 'finalized',
          stage: order.stage,
          details: { status, fineAccrued, currency: order.policy.fine.currency },
        },
      },
    };
  });
  if (before.finalizedAt === null) {
    const base = { orderId, platformId: after.platformId, agencyId: after.agencyId };
    const events: DomainEvent[] = announcedBeforeFinalize(result.status, after)
      ? []
      : [
          {
            type: `takedown.${result.status}`,
            ...base,
            detail: { stage: after.stage, itemCounts: after.itemCounts },
          },
        ];
    // Whatever the final status, one event says the order is final (agency subscriptions, docs/webhooks.md).
    events.push({
      type: 'takedown.order_final',
      ...base,
      detail: {
        agencyId: after.agencyId,
        status: result.status,
        stage: after.stage,
        itemCounts: after.itemCounts,
        fineAccrued: fine,
        currency: after.policy.fine.currency,
      },
    });
    await deps.events.publish(events);
  }
  return result;
}
