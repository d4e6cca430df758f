import { ConflictError, NotFoundError } from '../domain/errors';
import { fineAuditDetails } from '../domain/fine-audit';
import { nextNotice } from '../domain/notices';
import { isFinalOrderStatus } from '../domain/order-rules';
import type { ItemRecord, ItemUpdate, OrderRecord } from '../domain/records';
import { type ReviewDecision, reviewDisputedItems } from '../domain/review';
import type { Deps } from './deps';
import { changeOrderInChunks, wakeIfWaiting } from './order-changes';
import { getOrder } from './read-orders';

export type ReviewItemsDeps = Pick<Deps, 'orders' | 'workflow' | 'events' | 'clock'>;

export interface ReviewInput {
  agencyId: string;
  orderId: string;
  itemIds: string[];
  decision: ReviewDecision;
  note: string;
  officer: string | null;
}

/** The agency's answer to rejected (disputed) items; answers the result per item and the order. */
export async function reviewItems(deps: ReviewItemsDeps, input: ReviewInput) {
  const actor = {
    kind: 'agency' as const,
    id: input.agencyId,
    ...(input.officer ? { officer: input.officer } : {}),
  };
  const uniqueIds = [...new Set(input.itemIds)];
  let noticeCreated = false;
  const changes = await changeOrderInChunks(deps, input.orderId, uniqueIds, async (order, chunkIds) => {
    if (order.agencyId !== input.agencyId) throw new NotFoundError(`order ${input.orderId} does not exist`);
    if (isFinalOrderStatus(order.status)) throw new ConflictError(`the order is already ${order.status}`);
    const found = new Map(
      (await deps.orders.getItems(order.orderId, chunkIds)).map((item) => [item.itemId, item]),
    );
    const now = deps.clock.now();
    const reviewed = reviewDisputedItems(order, found, chunkIds, input, now);
    if (reviewed.updates.length === 0) return { result: reviewed.results, change: null };
    // One decision, one notice to the platform (its own webhook-id), created with the first chunk that applied.
    const notice =
      noticeCreated || order.servedAt === null
        ? null
        : nextNotice(order, 'takedown.review_decided', now, { decision: input.decision });
    noticeCreated ||= notice !== null;
    return {
      result: reviewed.results,
      change: {
        set: {
          itemCounts: reviewed.itemCounts,
          taskToken: null,
          ...(notice ? { noticeSeq: notice.noticeSeq } : {}),
        },
        items: reviewed.updates,
        notices: notice ? [notice.notice] : [],
        audit: {
          orderId: order.orderId,
          at: now.toISOString(),
          actor,
          action: input.decision === 'uphold' ? 'review_upheld' : 'review_withdrawn',
          stage: order.stage,
          details: {
            itemIds: reviewed.updates.map((update) => update.itemId),
            note: input.note,
            ...(input.decision === 'uphold' && order.st2At !== null
              ? { fine: upheldFine(order, found, reviewed.updates, now) }
              : {}),
          },
        },
      },
    };
  });
  const results = changes.flatMap((change) => change.result);
  // The first change that applied anything cleared the workflow's token: that one wakes it.
  const firstBefore: OrderRecord | undefined = changes.find((change) =>
    change.result.some((entry) => entry.result === 'applied'),
  )?.before;
  if (firstBefore !== undefined) {
    await deps.events.publish([
      {
        type: 'takedown.review_decided',
        orderId: input.orderId,
        platformId: firstBefore.platformId,
        agencyId: firstBefore.agencyId,
        detail: {
          decision: input.decision,
          items: results.filter((entry) => entry.result === 'applied').length,
        },
      },
    ]);
    await wakeIfWaiting(deps, firstBefore, { changed: 'review' });
  }
  return { results, order: await getOrder(deps, { agencyId: input.agencyId, orderId: input.orderId }) };
}

/** Items upheld past ST2 are fined from now on (once, under the points model): the audit records how. */
function upheldFine(
  order: OrderRecord,
  found: Map<string, ItemRecord>,
  updates: readonly ItemUpdate[],
  now: Date,
) {
  const upheld = updates.flatMap((update) => {
    const item = found.get(update.itemId);
    return item === undefined ? [] : [{ ...item, ...update.set }];
  });
  return fineAuditDetails(order, upheld, now);
}
