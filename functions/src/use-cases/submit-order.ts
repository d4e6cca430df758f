import { encodeCursor } from '../cursor';
import { canonicalHash } from '../domain/canonical-json';
import { UnprocessableError } from '../domain/errors';
import { countItems } from '../domain/order-rules';
import { urgencyOf } from '../domain/policy';
import type { ItemRecord, OrderRecord } from '../domain/records';
import { IdempotencyInFlightError, IdempotencyKeyReusedError } from '../http/errors';
import type { SubmitOrderBody } from '../http/schemas';
import type { IdempotentResponse } from '../ports';
import type { Deps } from './deps';
import { getOrder } from './read-orders';
import { orderView } from './views';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/**
 * A little longer than the submit function's timeout (28 s): once it ran out, the first attempt is surely dead and a
 * retry may take over. A takeover writes only the items still missing, so retries always make progress.
 */
export const IDEMPOTENCY_LEASE_MS = 30_000;
const FIRST_PAGE = 100;
export const MAX_STORED_RESPONSE_BYTES = 300_000;

export interface SubmitOrderInput {
  agencyId: string;
  idempotencyKey: string;
  /** The body as the client sent it (compared canonically), and as validated. */
  rawBody: unknown;
  body: SubmitOrderBody;
}

export const itemIdFor = (seq: number): string => String(seq).padStart(6, '0');

/**
 * Items first, the order marker last: a crash in between leaves no visible order, and the client's retry (same
 * Idempotency-Key) takes over the lease, rewrites the same items under the same order id and commits the marker.
 */
export async function submitOrder(deps: Deps, input: SubmitOrderInput): Promise<IdempotentResponse> {
  const platform = await deps.platforms.get(input.body.platformId);
  if (platform === null) {
    throw new UnprocessableError('unknown platform', [
      { field: 'platformId', message: 'is not a registered platform' },
    ]);
  }
  const key = `${input.agencyId}#${input.idempotencyKey}`;
  const requestHash = canonicalHash(input.rawBody);
  const freshOrderId = deps.ids.orderId();
  const claim = await deps.idempotency.claim({
    key,
    requestHash,
    payload: { orderId: freshOrderId, createdAt: deps.clock.now().toISOString() },
    leaseMs: IDEMPOTENCY_LEASE_MS,
    ttlSeconds: IDEMPOTENCY_TTL_SECONDS,
  });
  if (claim.state === 'reused') {
    throw new IdempotencyKeyReusedError('this Idempotency-Key was used with a different body');
  }
  if (claim.state === 'completed') {
    if (claim.response.body === null && claim.response.orderId !== undefined) {
      return {
        statusCode: claim.response.statusCode,
        body: await getOrder(deps, { agencyId: input.agencyId, orderId: claim.response.orderId }),
      };
    }
    return claim.response;
  }
  if (claim.state === 'in_flight') {
    throw new IdempotencyInFlightError(
      'the first request with this Idempotency-Key is still being processed',
    );
  }
  const orderId = String(claim.payload.orderId);
  const createdAt = String(claim.payload.createdAt);
  const takeover = orderId !== freshOrderId;
  try {
    const response = await writeOrder(deps, input, orderId, createdAt, takeover);
    // A DynamoDB item holds 400 KB: a response with long locators and much evidence is kept as a reference.
    const small = Buffer.byteLength(JSON.stringify(response.body)) <= MAX_STORED_RESPONSE_BYTES;
    await deps.idempotency.complete(
      key,
      small ? response : { statusCode: response.statusCode, body: null, orderId },
      IDEMPOTENCY_TTL_SECONDS,
    );
    return response;
  } catch (error) {
    // The lease stays for a crash; a refusal we can explain frees the key for a corrected retry.
    if (error instanceof UnprocessableError) await deps.idempotency.release(key);
    throw error;
  }
}

async function writeOrder(
  deps: Deps,
  input: SubmitOrderInput,
  orderId: string,
  createdAt: string,
  takeover: boolean,
): Promise<IdempotentResponse> {
  const { body, agencyId } = input;
  const items: ItemRecord[] = body.items.map((item, index) => ({
    orderId,
    itemId: itemIdFor(index + 1),
    seq: index + 1,
    kind: item.kind,
    locator: item.locator,
    note: item.note ?? null,
    status: 'pending',
    outcome: null,
    reason: null,
    answeredAt: null,
    actedAt: null,
    onTime: null,
    answeredAtStage: null,
    deadlineAt: null,
    fineSettled: 0,
    fineAccruingSince: null,
    review: null,
  }));
  const order: OrderRecord = {
    orderId,
    agencyId,
    platformId: body.platformId,
    category: body.category,
    urgency: urgencyOf(deps.policy, body.category, body.urgent === true),
    urgent: body.urgent === true,
    urgencyReason: body.urgencyReason ?? null,
    legalBasis: body.legalBasis,
    reason: body.reason,
    reference: body.reference,
    territorialScope: body.territorialScope,
    officer: body.officer ?? null,
    evidence: body.evidence ?? [],
    status: 'notifying',
    stage: 'order',
    createdAt,
    notifiedAt: null,
    deadlineAt: null,
    st2At: null,
    stageHistory: [],
    itemCounts: countItems(items.map((item) => item.status)),
    policy: deps.policy,
    version: 1,
    auditSeq: 1,
    taskToken: null,
    taskPurpose: null,
    lastReviewReminderAt: null,
    disputedSince: null,
    finalizedAt: null,
    withdrawal: null,
  };
  // Items are derived from the body alone, so what a crashed attempt already wrote is exactly what we would write.
  const written = takeover
    ? new Set((await deps.orders.allItems(orderId)).map((item) => item.itemId))
    : new Set();
  await deps.orders.putItems(items.filter((item) => !written.has(item.itemId)));
  const created = await deps.orders.createOrder(order, {
    orderId,
    at: createdAt,
    actor: { kind: 'agency', id: agencyId, ...(body.officer ? { officer: body.officer } : {}) },
    action: 'order_submitted',
    stage: 'order',
    details: {
      platformId: body.platformId,
      items: items.length,
      urgency: order.urgency,
      reference: body.reference,
    },
  });
  await deps.workflow.start(orderId);
  // Only an order committed by an earlier attempt needs reading back; one just created is what we wrote.
  const stored = created ? order : ((await deps.orders.getOrder(orderId)) ?? order);
  const firstPage = items.slice(0, FIRST_PAGE);
  const nextCursor =
    items.length > FIRST_PAGE ? encodeCursor({ after: firstPage.at(-1)?.itemId ?? '' }) : null;
  return {
    statusCode: 201,
    body: orderView(stored, firstPage, nextCursor, [], 0, deps.clock.now()),
  };
}
