import { ConcurrentChangeError, NotFoundError } from '../domain/errors';
import type { OrderRecord } from '../domain/records';
import { MAX_ITEMS_PER_CHANGE, type OrderChange } from '../ports';
import type { Deps } from './deps';

const MAX_ATTEMPTS = 15;

/** What a plan decides from the order it read: the change to commit (none: nothing to do) and its result. */
export type ChangePlan<T> = {
  change: Omit<OrderChange, 'orderId' | 'expectedVersion' | 'auditSeq'> | null;
  result: T;
};

export interface Changed<T> {
  result: T;
  before: OrderRecord;
  after: OrderRecord;
}

/**
 * Reads the order, lets `plan` decide the change from what it read, and commits it conditionally; another writer
 * in between makes the commit fail, and we read again. This is how concurrent answers never lose an update.
 */
export async function changeOrder<T>(
  deps: Pick<Deps, 'orders'>,
  orderId: string,
  plan: (order: OrderRecord) => Promise<ChangePlan<T>>,
): Promise<Changed<T>> {
  for (let attempt = 1; ; attempt += 1) {
    const order = await deps.orders.getOrder(orderId);
    if (order === null) throw new NotFoundError(`order ${orderId} does not exist`);
    const { change, result } = await plan(order);
    if (change === null) return { result, before: order, after: order };
    try {
      await deps.orders.commit({
        ...change,
        orderId,
        expectedVersion: order.version,
        auditSeq: order.auditSeq,
      });
      const after: OrderRecord = {
        ...order,
        ...change.set,
        version: order.version + 1,
        auditSeq: change.audit === null ? order.auditSeq : order.auditSeq + 1,
      };
      return { result, before: order, after };
    } catch (error) {
      if (!(error instanceof ConcurrentChangeError) || attempt >= MAX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/**
 * Changes many items of one order as a series of `changeOrder`s, one per chunk of ids a transaction can hold, in
 * order; stops early once `until` (epoch ms) has passed. The plan gets the ids of its chunk and reads them itself,
 * inside the retry loop, so that a concurrent change to them is seen on the next pass.
 */
export async function changeOrderInChunks<T>(
  deps: Pick<Deps, 'orders'>,
  orderId: string,
  itemIds: readonly string[],
  plan: (order: OrderRecord, chunkIds: readonly string[]) => Promise<ChangePlan<T>>,
  until = Number.POSITIVE_INFINITY,
): Promise<Changed<T>[]> {
  const changes: Changed<T>[] = [];
  for (let start = 0; start < itemIds.length && Date.now() < until; start += MAX_ITEMS_PER_CHANGE) {
    const chunkIds = itemIds.slice(start, start + MAX_ITEMS_PER_CHANGE);
    changes.push(await changeOrder(deps, orderId, (order) => plan(order, chunkIds)));
  }
  return changes;
}

/** Ends the workflow's wait after a change that cleared the token (the token is single use). */
export async function wakeIfWaiting(
  deps: Pick<Deps, 'workflow'>,
  before: OrderRecord,
  output: Record<string, unknown>,
): Promise<void> {
  if (before.taskToken !== null) await deps.workflow.wake(before.taskToken, output);
}
