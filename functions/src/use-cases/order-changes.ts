import { ConcurrentChangeError, NotFoundError } from '../domain/errors';
import type { OrderRecord } from '../domain/records';
import type { OrderChange } from '../ports';
import type { Deps } from './deps';

const MAX_ATTEMPTS = 15;

/**
 * Reads the order, lets `plan` decide the change from what it read, and commits it conditionally; another writer
 * in between makes the commit fail, and we read again. This is how concurrent answers never lose an update.
 */
export async function changeOrder<T>(
  deps: Pick<Deps, 'orders'>,
  orderId: string,
  plan: (
    order: OrderRecord,
  ) => Promise<{ change: Omit<OrderChange, 'orderId' | 'expectedVersion' | 'auditSeq'> | null; result: T }>,
): Promise<{ result: T; before: OrderRecord; after: OrderRecord }> {
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

/** Ends the workflow's wait after a change that cleared the token (the token is single use). */
export async function wakeIfWaiting(
  deps: Pick<Deps, 'workflow'>,
  before: OrderRecord,
  output: Record<string, unknown>,
): Promise<void> {
  if (before.taskToken !== null) await deps.workflow.wake(before.taskToken, output);
}
