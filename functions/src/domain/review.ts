import { fineRestartFor } from './fines';
import { deadlineFor, type ItemCounts } from './order-rules';
import type { ItemRecord, ItemUpdate, OrderRecord } from './records';

export type ReviewDecision = 'uphold' | 'withdraw';
export type ReviewResult = 'applied' | 'not_disputed' | 'not_found';

/**
 * The agency's decision on rejected (disputed) items at `now`: uphold makes them pending again with a fresh
 * deadline for the current stage (and a new run of fines past ST2), withdraw closes them. Items that are not
 * disputed are reported, not changed.
 */
export function reviewDisputedItems(
  order: OrderRecord,
  items: ReadonlyMap<string, ItemRecord>,
  itemIds: readonly string[],
  review: { decision: ReviewDecision; note: string },
  now: Date,
): { results: { itemId: string; result: ReviewResult }[]; updates: ItemUpdate[]; itemCounts: ItemCounts } {
  const fresh =
    review.decision === 'uphold'
      ? (deadlineFor(order.policy, order.urgency, order.stage, now)?.toISOString() ?? null)
      : null;
  const itemCounts = { ...order.itemCounts };
  const updates: ItemUpdate[] = [];
  const results = itemIds.map((itemId) => {
    const item = items.get(itemId);
    if (item === undefined) return { itemId, result: 'not_found' as const };
    if (item.status !== 'disputed') return { itemId, result: 'not_disputed' as const };
    const status = review.decision === 'uphold' ? ('pending' as const) : ('withdrawn' as const);
    itemCounts.disputed -= 1;
    itemCounts[status] += 1;
    updates.push({
      itemId,
      expectedStatus: 'disputed',
      set: {
        status,
        review: { decision: review.decision, note: review.note, at: now.toISOString() },
        ...(status === 'pending'
          ? {
              deadlineAt: fresh,
              outcome: null,
              answeredAt: null,
              onTime: null,
              fineAccruingSince: fineRestartFor(order, now),
            }
          : {}),
      },
    });
    return { itemId, result: 'applied' as const };
  });
  return { results, updates, itemCounts };
}
