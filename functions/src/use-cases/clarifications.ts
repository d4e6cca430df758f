import type { Actor } from '../domain/audit';
import { ConflictError, NotFoundError } from '../domain/errors';
import { type Clarification, pauseForClarification } from '../domain/legal-clock';
import { nextNotice } from '../domain/notices';
import { isFinalOrderStatus } from '../domain/order-rules';
import type { OrderRecord } from '../domain/records';
import type { Deps } from './deps';
import { changeOrder, wakeIfWaiting } from './order-changes';
import { getOrder } from './read-orders';

export type ClarificationDeps = Pick<Deps, 'orders' | 'workflow' | 'events' | 'clock'>;

/** Why an order cannot take a clarification request now, or null when it can. */
export function clarificationRefusal(order: OrderRecord): string | null {
  if (isFinalOrderStatus(order.status)) return `the order is already ${order.status}`;
  if (order.servedAt === null) return 'the order has not been served yet';
  if (order.clarification !== null) return 'a clarification request is already open on this order';
  const allowed = order.policy.maxClarifications;
  if (order.clarifications.length >= allowed)
    return `the order has had its ${allowed} clarification request(s); the policy allows no more`;
  return null;
}

/**
 * The platform asks the agency to clarify the order (TCO Art. 3(8)): the clock stops, no escalation and no fine
 * accrue until the platform has received the answer; then the full time of the stage runs again.
 */
export async function requestClarification(
  deps: ClarificationDeps,
  input: { platformId: string; orderId: string; question: string },
): Promise<{ takedownRequestId: string; clarification: Clarification }> {
  const now = deps.clock.now();
  const { before, after } = await changeOrder(deps, input.orderId, async (order) => {
    if (order.platformId !== input.platformId)
      throw new NotFoundError(`order ${input.orderId} is not addressed to platform ${input.platformId}`);
    const refusal = clarificationRefusal(order);
    if (refusal !== null) throw new ConflictError(refusal);
    const paused = pauseForClarification(order, input.question, now);
    return {
      result: null,
      change: {
        set: { ...paused, taskToken: null },
        items: [],
        audit: {
          orderId: order.orderId,
          at: now.toISOString(),
          actor: { kind: 'platform', id: input.platformId },
          action: 'clarification_requested',
          stage: order.stage,
          details: { seq: paused.clarification?.seq, question: input.question },
        },
      },
    };
  });
  const clarification = after.clarification as Clarification;
  await deps.events.publish([
    {
      type: 'takedown.clarification_requested',
      orderId: after.orderId,
      platformId: after.platformId,
      agencyId: after.agencyId,
      detail: { agencyId: after.agencyId, seq: clarification.seq, question: clarification.question },
    },
  ]);
  await wakeIfWaiting(deps, before, { changed: 'clarification' });
  return { takedownRequestId: after.orderId, clarification };
}

/**
 * The agency answers the open clarification: the answer goes to the platform as `takedown.clarified` (webhook,
 * else email), and its receipt restarts the clock for the full time of the current stage.
 */
export async function answerClarification(
  deps: ClarificationDeps,
  input: { agencyId: string; orderId: string; answer: string; officer: string | null },
) {
  const now = deps.clock.now();
  const actor: Actor = {
    kind: 'agency',
    id: input.agencyId,
    ...(input.officer ? { officer: input.officer } : {}),
  };
  const { before, after } = await changeOrder(deps, input.orderId, async (order) => {
    if (order.agencyId !== input.agencyId) throw new NotFoundError(`order ${input.orderId} does not exist`);
    if (isFinalOrderStatus(order.status)) throw new ConflictError(`the order is already ${order.status}`);
    const open = order.clarification;
    if (open === null) throw new ConflictError('no clarification request is open on this order');
    if (open.answer !== null) throw new ConflictError('the open clarification request was already answered');
    const answered: Clarification = { ...open, answer: input.answer, answeredAt: now.toISOString() };
    const { notice, noticeSeq } = nextNotice(order, 'takedown.clarified', now, {
      seq: open.seq,
      question: open.question,
      answer: input.answer,
    });
    return {
      result: null,
      change: {
        set: { clarification: answered, noticeSeq, taskToken: null },
        items: [],
        notices: [notice],
        audit: {
          orderId: order.orderId,
          at: now.toISOString(),
          actor,
          action: 'clarification_answered',
          stage: order.stage,
          details: { seq: open.seq, answer: input.answer, noticeId: notice.noticeId },
        },
      },
    };
  });
  await deps.events.publish([
    {
      type: 'takedown.clarified',
      orderId: after.orderId,
      platformId: after.platformId,
      agencyId: after.agencyId,
      detail: { agencyId: after.agencyId, seq: after.clarification?.seq ?? null },
    },
  ]);
  await wakeIfWaiting(deps, before, { changed: 'clarification' });
  return getOrder(deps, { agencyId: input.agencyId, orderId: input.orderId });
}
