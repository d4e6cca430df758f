import { Webhook } from 'standardwebhooks';
import { type AnswerResult, applyAnswers, latestAnswers, type PlatformAnswers } from '../domain/answers';
import { canonicalHash } from '../domain/canonical-json';
import {
  IdempotencyInFlightError,
  InvalidSignatureError,
  InvalidWebhookIdError,
  NotFoundError,
} from '../domain/errors';
import type { Clarification } from '../domain/legal-clock';
import { secretsInForce } from '../domain/platform-secrets';
import type { OrderRecord } from '../domain/records';
import { requestClarification } from './clarifications';
import type { Deps } from './deps';
import { changeOrderInChunks, wakeIfWaiting } from './order-changes';

export const WEBHOOK_ID_TTL_SECONDS = 7 * 24 * 3600;
const LEASE_MS = 60_000;
const MAX_WEBHOOK_ID_LENGTH = 200;

export type RecordPlatformResponsesDeps = Pick<
  Deps,
  'orders' | 'secrets' | 'webhookIds' | 'workflow' | 'events' | 'clock'
>;

/** The Standard Webhooks headers of a signed answer. */
export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export interface PlatformResponsesInput {
  platformId: string;
  /** The body exactly as received: the signature covers these bytes. */
  rawBody: string;
  headers: SignatureHeaders;
  /** Reads the message out of the body once its signature holds; throws to refuse it (the webhook-id is freed). */
  readAnswers: () => PlatformMessage;
}

/** What a platform may send on the signed endpoint: answers for items, or a request to clarify the order. */
export type PlatformMessage =
  | PlatformAnswers
  | { takedownRequestId: string; clarificationRequest: { question: string } };

export type PlatformResponsesResult =
  | { takedownRequestId: string; results: { itemId: string; result: AnswerResult }[] }
  | { takedownRequestId: string; clarification: Clarification };

/** Verifies the Standard Webhooks signature (±5 minutes) with any secret in force. */
export function verifySignature(secrets: string[], rawBody: string, headers: SignatureHeaders): void {
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(rawBody, { ...headers });
      return;
    } catch {
      // try the next secret in force
    }
  }
  throw new InvalidSignatureError('the webhook signature or timestamp is not valid');
}

async function authenticate(deps: RecordPlatformResponsesDeps, input: PlatformResponsesInput): Promise<void> {
  const secrets = await deps.secrets.get(input.platformId);
  if (secrets === null) throw new InvalidSignatureError('the webhook signature or timestamp is not valid');
  try {
    verifySignature(
      secretsInForce(secrets, 'responseSecret', deps.clock.now()),
      input.rawBody,
      input.headers,
    );
  } catch (error) {
    if (!(error instanceof InvalidSignatureError)) throw error;
    // The cached secrets may predate a rotation: read them again (the store bounds how often) and retry once.
    const fresh = await deps.secrets.get(input.platformId, { fresh: true });
    if (fresh === null) throw error;
    verifySignature(secretsInForce(fresh, 'responseSecret', deps.clock.now()), input.rawBody, input.headers);
  }
}

/**
 * A platform's signed answers: the signature first, then the webhook-id, processed once (a repeat gets the first
 * result, whatever came with it), then the answers themselves.
 */
export async function recordPlatformResponses(
  deps: RecordPlatformResponsesDeps,
  input: PlatformResponsesInput,
): Promise<PlatformResponsesResult> {
  await authenticate(deps, input);
  const webhookId = input.headers['webhook-id'];
  if (webhookId.length > MAX_WEBHOOK_ID_LENGTH) {
    throw new InvalidWebhookIdError(`webhook-id is longer than ${MAX_WEBHOOK_ID_LENGTH} characters`);
  }
  const message = (): Promise<PlatformResponsesResult> => {
    const read = input.readAnswers();
    return 'clarificationRequest' in read
      ? requestClarification(deps, {
          platformId: input.platformId,
          orderId: read.takedownRequestId,
          question: read.clarificationRequest.question,
        })
      : applyPlatformAnswers(deps, input.platformId, read);
  };
  return processOnce(deps, `${input.platformId}#${webhookId}`, canonicalHash(input.rawBody), message, {
    keyName: 'webhook-id',
    reused: (text) => new IdempotencyInFlightError(text),
  });
}

/**
 * Runs `work` once per key of the platform's (webhook-id or Idempotency-Key): a repeat gets the first result,
 * another body under the same key or one still running is refused, a failure frees the key for a retry.
 */
export async function processOnce<R>(
  deps: Pick<Deps, 'webhookIds'>,
  key: string,
  requestHash: string,
  work: () => Promise<R>,
  /** How the key is named to the caller, and what refuses it under another body. */
  options: { keyName: string; reused: (message: string) => Error },
): Promise<R> {
  const { keyName } = options;
  const claim = await deps.webhookIds.claim({
    key,
    requestHash,
    payload: {},
    leaseMs: LEASE_MS,
    ttlSeconds: WEBHOOK_ID_TTL_SECONDS,
  });
  if (claim.state === 'completed') return claim.stored.result as R;
  if (claim.state === 'reused') throw options.reused(`this ${keyName} was already used for another body`);
  if (claim.state === 'in_flight')
    throw new IdempotencyInFlightError(`this ${keyName} is still being processed`);
  try {
    const result = await work();
    await deps.webhookIds.complete(key, { result }, WEBHOOK_ID_TTL_SECONDS);
    return result;
  } catch (error) {
    await deps.webhookIds.release(key);
    throw error;
  }
}

/** Applies a platform's answers to the items of one order addressed to it (signed endpoint and platform API). */
export async function applyPlatformAnswers(
  deps: Pick<Deps, 'orders' | 'workflow' | 'events' | 'clock'>,
  platformId: string,
  answers: PlatformAnswers,
): Promise<{ takedownRequestId: string; results: { itemId: string; result: AnswerResult }[] }> {
  const orderId = answers.takedownRequestId;
  const order = await deps.orders.getOrder(orderId);
  if (order === null || order.platformId !== platformId) {
    throw new NotFoundError(`order ${orderId} is not addressed to platform ${platformId}`);
  }
  const latest = latestAnswers(answers.items);
  const itemIds = [...latest.keys()];
  const changes = await changeOrderInChunks(deps, orderId, itemIds, async (current, chunkIds) => {
    const now = deps.clock.now();
    const items = new Map((await deps.orders.getItems(orderId, chunkIds)).map((item) => [item.itemId, item]));
    const chunkAnswers = chunkIds.flatMap((itemId) => latest.get(itemId) ?? []);
    const applied = applyAnswers(current, items, chunkAnswers, now);
    if (applied.updates.length === 0) return { result: applied.results, change: null };
    return {
      result: applied.results,
      change: {
        set: applied.orderSet,
        items: applied.updates,
        audit: {
          orderId,
          at: now.toISOString(),
          actor: { kind: 'platform', id: platformId },
          action: 'items_answered',
          stage: current.stage,
          details: { outcomes: applied.outcomes, itemIds: applied.updates.map((update) => update.itemId) },
        },
      },
    };
  });
  const results = new Map<string, AnswerResult>();
  let tokenHolder: OrderRecord | null = null;
  for (const { result, before, after } of changes) {
    for (const [itemId, itemResult] of result) results.set(itemId, itemResult);
    if (before.taskToken !== null && after.taskToken === null) tokenHolder = before;
  }
  const lastOrder = changes.at(-1)?.after ?? order;
  const applied = [...results.values()].filter((value) => value === 'applied').length;
  if (applied > 0) {
    await deps.events.publish([
      {
        type: 'takedown.items_answered',
        orderId,
        platformId,
        agencyId: lastOrder.agencyId,
        detail: { applied, itemCounts: lastOrder.itemCounts, stage: lastOrder.stage },
      },
    ]);
  }
  if (tokenHolder !== null) await wakeIfWaiting(deps, tokenHolder, { changed: 'answers' });
  return {
    takedownRequestId: orderId,
    results: itemIds.map((itemId) => ({ itemId, result: results.get(itemId) ?? 'not_found' })),
  };
}
