import { fineSettledAt } from './fines';
import {
  acceptsAnswer,
  type ItemOutcome,
  isFinalOrderStatus,
  isOnTime,
  statusAfterOutcome,
} from './order-rules';
import type { ItemRecord, ItemUpdate, OrderRecord } from './records';

/** A platform's answer for one item (the signed HTTP body, validated, has exactly this shape). */
export interface PlatformAnswer {
  itemId: string;
  outcome: ItemOutcome;
  reason?: { code: string; explanation: string };
  /** When the platform says it acted (its claim). */
  actedAt?: string;
}

/** A platform's signed answers for one order. */
export interface PlatformAnswers {
  takedownRequestId: string;
  items: PlatformAnswer[];
}

export type AnswerResult = 'applied' | 'already_final' | 'not_found';

/**
 * The deadline an answer is judged against: the item's own (the fresh one an uphold gave it), else the order's
 * first deadline. Later stage deadlines do not make a late removal timely.
 */
export function answerDeadline(order: OrderRecord, item: ItemRecord): Date | null {
  const firstDeadline = order.stageHistory[0]?.deadlineAt ?? order.deadlineAt;
  if (item.deadlineAt !== null) return new Date(item.deadlineAt);
  return firstDeadline === null ? null : new Date(firstDeadline);
}

/**
 * What a batch of answers does to the items it names, received at `now`: each open item takes its outcome, is
 * judged on time or late and settles the fine it accrued; items of a final order or already closed are reported,
 * not changed. The workflow's wait ends (its token is cleared, to be woken) once nothing is pending: all final, or
 * only disputes left for review.
 */
export function applyAnswers(
  order: OrderRecord,
  items: ReadonlyMap<string, ItemRecord>,
  answers: readonly PlatformAnswer[],
  now: Date,
): {
  results: Map<string, AnswerResult>;
  updates: ItemUpdate[];
  orderSet: Partial<OrderRecord>;
  outcomes: Record<string, number>;
} {
  const results = new Map<string, AnswerResult>();
  const updates: ItemUpdate[] = [];
  const itemCounts = { ...order.itemCounts };
  const outcomes: Record<string, number> = {};
  for (const answer of answers) {
    const item = items.get(answer.itemId);
    if (item === undefined) {
      results.set(answer.itemId, 'not_found');
      continue;
    }
    if (isFinalOrderStatus(order.status) || !acceptsAnswer(item.status)) {
      results.set(answer.itemId, 'already_final');
      continue;
    }
    const status = statusAfterOutcome(answer.outcome);
    itemCounts[item.status] -= 1;
    itemCounts[status] += 1;
    outcomes[answer.outcome] = (outcomes[answer.outcome] ?? 0) + 1;
    updates.push({
      itemId: item.itemId,
      expectedStatus: item.status,
      set: {
        status,
        outcome: answer.outcome,
        reason: answer.reason ?? null,
        actedAt: answer.actedAt ?? null,
        answeredAt: now.toISOString(),
        onTime: isOnTime(now, answerDeadline(order, item)),
        answeredAtStage: order.stage,
        fineSettled: fineSettledAt({ order, item }, now),
        fineAccruingSince: null,
      },
    });
    results.set(answer.itemId, 'applied');
  }
  const endsWait = itemCounts.pending === 0 && order.taskToken !== null;
  const orderSet: Partial<OrderRecord> = {
    itemCounts,
    ...(itemCounts.disputed > 0 && order.disputedSince === null ? { disputedSince: now.toISOString() } : {}),
    ...(endsWait ? { taskToken: null } : {}),
  };
  return { results, updates, orderSet, outcomes };
}

/** The last answer for an item inside one call wins; the ids keep the order of their first answer. */
export function latestAnswers(answers: readonly PlatformAnswer[]): Map<string, PlatformAnswer> {
  return new Map(answers.map((answer) => [answer.itemId, answer]));
}
