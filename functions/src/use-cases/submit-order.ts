import { encodeCursor } from '../cursor';
import { canonicalHash } from '../domain/canonical-json';
import { IdempotencyInFlightError, IdempotencyKeyReusedError, UnprocessableError } from '../domain/errors';
import { acceptsInBackground } from '../domain/intake';
import type { DuplicateEntry } from '../domain/locator';
import { checkFineIndices, type NewOrder, newOrderRecords } from '../domain/new-order';
import type { OrderRecord } from '../domain/records';
import { type IdempotentResult, MAX_ITEMS_WITH_MARKER } from '../ports';
import type { Deps } from './deps';
import { duplicateFieldErrors, duplicatesOf, findDuplicates, withDuplicates } from './find-duplicates';
import { acceptInBackground } from './intake-order';
import { getOrder } from './read-orders';
import { type OrderView, orderView } from './views';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/**
 * A little longer than the submit function's timeout (28 s): once it ran out, the first attempt is surely dead and a
 * retry may take over. A takeover writes only the items still missing, so retries always make progress.
 */
export const IDEMPOTENCY_LEASE_MS = 30_000;
const FIRST_PAGE = 100;
export const MAX_STORED_RESULT_BYTES = 300_000;

export type SubmitOrderDeps = Pick<
  Deps,
  | 'orders'
  | 'openLocators'
  | 'platforms'
  | 'idempotency'
  | 'workflow'
  | 'clock'
  | 'ids'
  | 'policy'
  | 'asyncIntakeItems'
  | 'intakeBodies'
  | 'intake'
>;

export interface SubmitOrderInput {
  agencyId: string;
  idempotencyKey: string;
  /** The request as the client sent it: a retry must send the same (compared canonically). */
  request: unknown;
  /** The same request, validated. */
  order: NewOrder;
}

/**
 * Answers the order as created (for a retry: as first created), with its first page of items. An order of more than
 * `asyncIntakeItems` items is accepted instead: its answer is the order in status `accepting`, written in the
 * background (`intake-order.ts`), and its retries get that same first answer.
 *
 * Items first, the order marker last: a crash in between leaves no visible order, and the client's retry (same
 * Idempotency-Key) takes over the lease, rewrites the same items under the same order id and commits the marker.
 */
export async function submitOrder(deps: SubmitOrderDeps, input: SubmitOrderInput): Promise<SubmittedOrder> {
  checkFineIndices(input.order);
  const platform = await deps.platforms.get(input.order.platformId);
  if (platform === null) {
    throw new UnprocessableError('unknown platform', [
      { field: 'platformId', message: 'is not a registered platform' },
    ]);
  }
  const key = `${input.agencyId}#${input.idempotencyKey}`;
  const freshOrderId = deps.ids.orderId();
  const inBackground = acceptsInBackground(input.order.items.length, deps.asyncIntakeItems);
  // The duplicate lookup only reads: it runs beside the claim (one round trip less), for the id a fresh claim gets.
  const [claim, freshDuplicates] = await Promise.all([
    deps.idempotency.claim({
      key,
      requestHash: canonicalHash(input.request),
      payload: { orderId: freshOrderId, createdAt: deps.clock.now().toISOString() },
      leaseMs: IDEMPOTENCY_LEASE_MS,
      ttlSeconds: IDEMPOTENCY_TTL_SECONDS,
    }),
    inBackground ? null : duplicatesFor(deps, input, freshOrderId),
  ]);
  if (claim.state === 'reused') {
    throw new IdempotencyKeyReusedError('this Idempotency-Key was used with a different body');
  }
  if (claim.state === 'in_flight') {
    throw new IdempotencyInFlightError(
      'the first request with this Idempotency-Key is still being processed',
    );
  }
  if (claim.state === 'completed') {
    const { result, orderId } = claim.stored;
    if (result === null && orderId !== undefined) {
      const view = await getOrder(deps, { agencyId: input.agencyId, orderId });
      return { ...view, duplicates: duplicatesOf(await deps.orders.allItems(orderId)) };
    }
    return result as SubmittedOrder;
  }
  const orderId = String(claim.payload.orderId);
  const createdAt = String(claim.payload.createdAt);
  try {
    const takeover = orderId !== freshOrderId;
    const claimed = { orderId, createdAt, takeover };
    const complete = (result: SubmittedOrder) =>
      deps.idempotency.complete(key, stored(result), IDEMPOTENCY_TTL_SECONDS);
    if (inBackground) {
      const result = await acceptInBackground(deps, input, claimed);
      await complete(result);
      return result;
    }
    const { result, completed } = await writeOrder(deps, input, {
      ...claimed,
      key,
      // A takeover continues another attempt's order: its own items, already written, are not duplicates.
      duplicates:
        freshDuplicates === null || takeover ? await duplicatesFor(deps, input, orderId) : freshDuplicates,
    });
    if (!completed) await complete(result);
    return result;
  } catch (error) {
    // The lease stays for a crash; a refusal we can explain frees the key for a corrected retry.
    if (error instanceof UnprocessableError) await deps.idempotency.release(key);
    throw error;
  }
}

/** What the idempotency record keeps: a DynamoDB item holds 400 KB, so a large result is kept as a reference. */
const stored = (result: SubmittedOrder): IdempotentResult =>
  Buffer.byteLength(JSON.stringify(result)) <= MAX_STORED_RESULT_BYTES
    ? { result, orderId: result.id }
    : { result: null, orderId: result.id };

/** The 201 body: the order view, and every item that was a duplicate at submission (the view shows a page). */
export type SubmittedOrder = OrderView & { duplicates: DuplicateEntry[] };

const duplicatesFor = (deps: SubmitOrderDeps, input: SubmitOrderInput, orderId: string) =>
  findDuplicates(deps, {
    items: input.order.items,
    platformId: input.order.platformId,
    agencyId: input.agencyId,
    orderId,
    firstIndex: 0,
  });

async function writeOrder(
  deps: SubmitOrderDeps,
  input: SubmitOrderInput,
  claimed: {
    orderId: string;
    createdAt: string;
    takeover: boolean;
    key: string;
    duplicates: DuplicateEntry[];
  },
): Promise<{ result: SubmittedOrder; completed: boolean }> {
  const { orderId, createdAt, takeover, duplicates } = claimed;
  if (duplicates.length > 0 && deps.policy.duplicateLocators === 'reject') {
    throw new UnprocessableError(
      `${duplicates.length} item(s) are already open in an order to this platform`,
      duplicateFieldErrors(duplicates, orderId),
    );
  }
  const records = newOrderRecords(input.order, {
    orderId,
    agencyId: input.agencyId,
    createdAt,
    policy: deps.policy,
    executionArn: deps.workflow.executionArnOf(orderId),
  });
  const { audit, notice } = records;
  const { order, items } = withDuplicates(records, duplicates);
  const firstPage = items.slice(0, FIRST_PAGE);
  const nextCursor =
    items.length > FIRST_PAGE ? encodeCursor({ after: firstPage.at(-1)?.itemId ?? '' }) : null;
  const resultOf = (shown: OrderRecord): SubmittedOrder => ({
    ...orderView(shown, firstPage, nextCursor, [], 0, deps.clock.now(), [notice]),
    duplicates,
  });
  if (!takeover && items.length <= MAX_ITEMS_WITH_MARKER) {
    // A small order is one transaction: items, marker and the completed idempotency record. One round trip, and a
    // crash leaves nothing. A crash before its execution starts leaves an open order without one, which the
    // reconciler starts (every minute); a retry meanwhile gets this same answer.
    const result = resultOf(order);
    const completes = {
      key: claimed.key,
      stored: stored(result),
      ttlSeconds: IDEMPOTENCY_TTL_SECONDS,
      completedAt: deps.clock.now(),
    };
    if (await deps.orders.createOrder(order, audit, [notice], items, completes)) {
      await deps.workflow.start(orderId);
      return { result, completed: true };
    }
  } else {
    // Items are derived from the request alone: what a crashed attempt already wrote is exactly what we would write.
    const written = takeover
      ? new Set((await deps.orders.allItems(orderId)).map((item) => item.itemId))
      : new Set();
    await deps.orders.putItems(
      items.filter((item) => !written.has(item.itemId)),
      order,
    );
    await deps.orders.createOrder(order, audit, [notice]);
  }
  await deps.workflow.start(orderId);
  // An order an earlier attempt committed is read back: it is what that attempt created.
  return { result: resultOf((await deps.orders.getOrder(orderId)) ?? order), completed: false };
}
