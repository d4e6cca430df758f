import type { Actor } from '../domain/audit';
import { ConflictError, NotFoundError } from '../domain/errors';
import { isFinalOrderStatus } from '../domain/order-rules';
import type { ItemRecord } from '../domain/records';
import type { Deps } from './deps';
import { changeOrder, changeOrderInChunks, wakeIfWaiting } from './order-changes';
import { getOrder } from './read-orders';

export type WithdrawOrderDeps = Pick<Deps, 'orders' | 'workflow' | 'events' | 'clock'>;

export interface WithdrawOrderInput {
  agencyId: string;
  orderId: string;
  reason: string;
  officer: string | null;
}

const WITHDRAW_ITEM_BUDGET_MS = 5_000;

/**
 * Marks the order withdrawn (which ends the workflow at any point: the woken wait evaluates to done and finalize
 * tells the platform), then closes every open item; answers the withdrawn order.
 */
export async function withdrawOrder(deps: WithdrawOrderDeps, input: WithdrawOrderInput) {
  const now = deps.clock.now();
  const actor: Actor = {
    kind: 'agency',
    id: input.agencyId,
    ...(input.officer ? { officer: input.officer } : {}),
  };
  const { before } = await changeOrder(deps, input.orderId, async (order) => {
    if (order.agencyId !== input.agencyId) throw new NotFoundError(`order ${input.orderId} does not exist`);
    if (isFinalOrderStatus(order.status)) throw new ConflictError(`the order is already ${order.status}`);
    // Its items are still being written and the platform has not been told: withdraw it once it is notifying.
    if (order.status === 'accepting')
      throw new ConflictError('the order is still being accepted: withdraw it once all its items are in');
    return {
      result: null,
      change: {
        set: {
          status: 'withdrawn',
          withdrawal: { reason: input.reason, at: now.toISOString(), by: actor },
          taskToken: null,
        },
        items: [],
        audit: {
          orderId: order.orderId,
          at: now.toISOString(),
          actor,
          action: 'order_withdrawn',
          stage: order.stage,
          details: { reason: input.reason },
        },
      },
    };
  });
  // Within a time budget, so the caller gets an answer; finalize closes whatever is left.
  await closeOpenItems(deps, input.orderId, actor, Date.now() + WITHDRAW_ITEM_BUDGET_MS);
  await deps.events.publish([
    {
      type: 'takedown.withdrawn',
      orderId: input.orderId,
      platformId: before.platformId,
      agencyId: before.agencyId,
      detail: { reason: input.reason },
    },
  ]);
  await wakeIfWaiting(deps, before, { changed: 'withdrawal' });
  return getOrder(deps, { agencyId: input.agencyId, orderId: input.orderId });
}

const isOpen = (item: ItemRecord): boolean => item.status === 'pending' || item.status === 'disputed';

/** Marks every still open item of a withdrawn order withdrawn, chunk by chunk, until done or out of time. */
export async function closeOpenItems(
  deps: Pick<Deps, 'orders' | 'clock'>,
  orderId: string,
  actor: Actor,
  until = Number.POSITIVE_INFINITY,
): Promise<void> {
  const open = (await deps.orders.allItems(orderId)).filter(isOpen).map((item) => item.itemId);
  await changeOrderInChunks(
    deps,
    orderId,
    open,
    async (order, chunkIds) => {
      // An answer may have closed some of them meanwhile.
      const chunk = (await deps.orders.getItems(orderId, chunkIds)).filter(isOpen);
      if (chunk.length === 0) return { result: null, change: null };
      const now = deps.clock.now();
      const counts = { ...order.itemCounts };
      for (const item of chunk) {
        counts[item.status] -= 1;
        counts.withdrawn += 1;
      }
      return {
        result: null,
        change: {
          set: { itemCounts: counts },
          items: chunk.map((item) => ({
            itemId: item.itemId,
            expectedStatus: item.status,
            set: { status: 'withdrawn' as const },
          })),
          audit: {
            orderId,
            at: now.toISOString(),
            actor,
            action: 'items_withdrawn',
            stage: order.stage,
            details: { itemIds: chunk.map((item) => item.itemId) },
          },
        },
      };
    },
    until,
  );
}
