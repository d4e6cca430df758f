import { SYSTEM_ACTOR } from '../domain/audit';
import { OrderChanged } from '../domain/errors';
import type { OrderStatus, OutboundEvent } from '../domain/order-rules';
import {
  announcedBeforeFinalize,
  type Escalation,
  type Evaluation,
  escalateOrder,
  evaluateOrder,
  finalizeOrder,
} from '../domain/workflow-rules';
import type { DomainEvent } from '../ports';
import type { Deps } from './deps';
import { changeOrder } from './order-changes';
import { closeOpenItems } from './withdraw-order';

export type WorkflowStepDeps = Pick<Deps, 'orders' | 'events' | 'clock'>;

export type EvaluateResult = Evaluation & { version: number };

/** Decides what the workflow does next (see `evaluateOrder`) and records what changed on the order. */
export async function evaluate(deps: WorkflowStepDeps, orderId: string): Promise<EvaluateResult> {
  const { result, after } = await changeOrder(deps, orderId, async (order) => {
    // Items are read inside the retry loop: an answer that made the commit fail is then seen on the next pass.
    const now = deps.clock.now();
    const { evaluation, set } = evaluateOrder(order, await deps.orders.allItems(orderId), now);
    if (Object.keys(set).length === 0) return { result: evaluation, change: null };
    const audited = set.status !== undefined || evaluation.reviewReminder;
    return {
      result: evaluation,
      change: {
        set,
        items: [],
        audit: audited
          ? {
              orderId,
              at: now.toISOString(),
              actor: SYSTEM_ACTOR,
              action: evaluation.reviewReminder ? 'review_reminder' : 'status_changed',
              stage: order.stage,
              details: { status: evaluation.status },
            }
          : null,
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

/** Stores the wait's token only if nothing changed since evaluate; otherwise the machine evaluates again. */
export async function registerWait(
  deps: Pick<Deps, 'orders'>,
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
export async function escalate(deps: WorkflowStepDeps, orderId: string): Promise<Escalation> {
  const { result, after } = await changeOrder<Escalation>(deps, orderId, async (order) => {
    const now = deps.clock.now();
    const { escalation, set, deadlineAt, pending } = escalateOrder(
      order,
      await deps.orders.allItems(orderId),
      now,
    );
    if (set === null) return { result: escalation, change: null };
    return {
      result: escalation,
      change: {
        set,
        items: [],
        audit: {
          orderId,
          at: now.toISOString(),
          actor: SYSTEM_ACTOR,
          action: 'escalated',
          stage: escalation.stage,
          details: { from: order.stage, pending, deadlineAt },
        },
      },
    };
  });
  if (result.event !== null) {
    const detail = { stage: result.stage, deadlineAt: after.deadlineAt, pending: after.itemCounts.pending };
    const events: DomainEvent[] = [{ type: result.event, orderId, platformId: after.platformId, detail }];
    if (result.final) {
      events.push({
        type: 'takedown.referred_for_blocking',
        orderId,
        platformId: after.platformId,
        detail: { ...detail, deadlineAt: null },
      });
    }
    await deps.events.publish(events);
  }
  return result;
}

/** Sets the final status; a withdrawn order still has to tell the platform. */
export async function finalize(
  deps: WorkflowStepDeps,
  orderId: string,
): Promise<{ status: OrderStatus; notify: OutboundEvent | null }> {
  const current = await deps.orders.getOrder(orderId);
  if (current?.status === 'withdrawn' && current.withdrawal !== null && current.finalizedAt === null) {
    // The withdrawal answered its caller within a time budget; close the items it did not reach.
    await closeOpenItems(deps, orderId, current.withdrawal.by);
  }
  const { result, after, before } = await changeOrder(deps, orderId, async (order) => {
    const now = deps.clock.now();
    const { status, notify, fineAccrued } = finalizeOrder(order, await deps.orders.allItems(orderId), now);
    if (order.finalizedAt !== null) return { result: { status, notify }, change: null };
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
          details: { status, fineAccrued, currency: order.policy.fine.currency },
        },
      },
    };
  });
  if (before.finalizedAt === null && !announcedBeforeFinalize(result.status)) {
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
  deps: WorkflowStepDeps,
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
