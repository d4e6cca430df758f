import { ConflictError, NotFoundError } from '../domain/errors';
import { deadlineFor, isFinalOrderStatus } from '../domain/order-rules';
import type { ItemRecord } from '../domain/records';
import { MAX_ITEMS_PER_CHANGE } from '../ports';
import type { Deps } from './deps';
import { changeOrder, wakeIfWaiting } from './order-changes';
import { getOrder } from './read-orders';

export interface ReviewInput {
  agencyId: string;
  orderId: string;
  itemIds: string[];
  decision: 'uphold' | 'withdraw';
  note: string;
  officer: string | null;
}

/**
 * The agency's answer to rejected (disputed) items: uphold makes them pending again with a fresh deadline at the
 * current stage, withdraw closes them. Items that are not disputed are reported, not changed.
 */
export async function reviewItems(deps: Deps, input: ReviewInput) {
  const actor = {
    kind: 'agency' as const,
    id: input.agencyId,
    ...(input.officer ? { officer: input.officer } : {}),
  };
  const uniqueIds = [...new Set(input.itemIds)];
  const results: { itemId: string; result: 'applied' | 'not_disputed' | 'not_found' }[] = [];
  let firstBefore = null;
  for (let start = 0; start < uniqueIds.length; start += MAX_ITEMS_PER_CHANGE) {
    const chunkIds = uniqueIds.slice(start, start + MAX_ITEMS_PER_CHANGE);
    const { result, before } = await changeOrder(deps, input.orderId, async (order) => {
      if (order.agencyId !== input.agencyId) throw new NotFoundError(`order ${input.orderId} does not exist`);
      if (isFinalOrderStatus(order.status)) throw new ConflictError(`the order is already ${order.status}`);
      const found = new Map(
        (await deps.orders.getItems(order.orderId, chunkIds)).map((item) => [item.itemId, item]),
      );
      const now = deps.clock.now();
      const fresh =
        input.decision === 'uphold'
          ? deadlineFor(order.policy, order.urgency, order.stage, now)?.toISOString()
          : null;
      const counts = { ...order.itemCounts };
      const updates: { itemId: string; expectedStatus: ItemRecord['status']; set: Partial<ItemRecord> }[] =
        [];
      const chunkResults = chunkIds.map((itemId) => {
        const item = found.get(itemId);
        if (item === undefined) return { itemId, result: 'not_found' as const };
        if (item.status !== 'disputed') return { itemId, result: 'not_disputed' as const };
        const status = input.decision === 'uphold' ? ('pending' as const) : ('withdrawn' as const);
        counts.disputed -= 1;
        counts[status] += 1;
        updates.push({
          itemId,
          expectedStatus: 'disputed',
          set: {
            status,
            review: { decision: input.decision, note: input.note, at: now.toISOString() },
            ...(status === 'pending'
              ? {
                  deadlineAt: fresh ?? null,
                  outcome: null,
                  answeredAt: null,
                  onTime: null,
                  fineAccruingSince: order.st2At === null ? null : now.toISOString(),
                }
              : {}),
          },
        });
        return { itemId, result: 'applied' as const };
      });
      if (updates.length === 0) return { result: chunkResults, change: null };
      return {
        result: chunkResults,
        change: {
          set: { itemCounts: counts, taskToken: null, taskPurpose: null },
          items: updates,
          audit: {
            orderId: order.orderId,
            at: now.toISOString(),
            actor,
            action: input.decision === 'uphold' ? 'review_upheld' : 'review_withdrawn',
            stage: order.stage,
            details: { itemIds: updates.map((update) => update.itemId), note: input.note },
          },
        },
      };
    });
    results.push(...result);
    if (result.some((entry) => entry.result === 'applied')) firstBefore ??= before;
  }
  if (firstBefore !== null) {
    await deps.events.publish([
      {
        type: 'takedown.review_decided',
        orderId: input.orderId,
        platformId: firstBefore.platformId,
        detail: {
          decision: input.decision,
          items: results.filter((entry) => entry.result === 'applied').length,
        },
      },
    ]);
    await wakeIfWaiting(deps, firstBefore, { notify: 'takedown.review_decided' });
  }
  return { results, order: await getOrder(deps, { agencyId: input.agencyId, orderId: input.orderId }) };
}
