import { Webhook } from 'standardwebhooks';
import { canonicalHash } from '../domain/canonical-json';
import { BadRequestError, NotFoundError, UnauthorizedError } from '../domain/errors';
import { accruedFine } from '../domain/fines';
import { acceptsAnswer, isFinalOrderStatus, isOnTime, statusAfterOutcome } from '../domain/order-rules';
import type { ItemRecord, PlatformSecrets } from '../domain/records';
import { IdempotencyInFlightError, MalformedJsonError } from '../http/errors';
import { validate } from '../http/middleware';
import { platformResponsesBodySchema } from '../http/schemas';
import { type IdempotentResponse, MAX_ITEMS_PER_CHANGE } from '../ports';
import type { Deps } from './deps';
import { changeOrder, wakeIfWaiting } from './order-changes';

export const WEBHOOK_ID_TTL_SECONDS = 7 * 24 * 3600;
const LEASE_MS = 60_000;

export interface PlatformResponsesInput {
  platformId: string;
  rawBody: string;
  headers: Record<string, string>;
}

type ItemResult = 'applied' | 'already_final' | 'not_found';

/** Secrets that may have signed an answer now: the current one, and the previous one while its overlap lasts. */
export function responseSecretsInForce(secrets: PlatformSecrets, now: Date): string[] {
  const list = [secrets.current.responseSecret];
  if (secrets.previous !== null && new Date(secrets.previous.validUntil).getTime() > now.getTime()) {
    list.push(secrets.previous.responseSecret);
  }
  return list;
}

/** Verifies the Standard Webhooks signature (±5 minutes) with any secret in force. */
export function verifySignature(secrets: string[], rawBody: string, headers: Record<string, string>): void {
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(rawBody, headers);
      return;
    } catch {
      // try the next secret in force
    }
  }
  throw new UnauthorizedError('the webhook signature or timestamp is not valid');
}

/** The signed body as JSON; blank is a missing body (422 from the schema), anything else unparsable is a 400. */
function parseAnswerBody(rawBody: string): unknown {
  if (rawBody.trim() === '') return undefined;
  try {
    return JSON.parse(rawBody);
  } catch (cause) {
    throw new MalformedJsonError('the body is not valid JSON', { cause });
  }
}

export async function recordPlatformResponses(
  deps: Deps,
  input: PlatformResponsesInput,
): Promise<IdempotentResponse> {
  const secrets = await deps.secrets.get(input.platformId);
  if (secrets === null) throw new UnauthorizedError('the webhook signature or timestamp is not valid');
  try {
    verifySignature(responseSecretsInForce(secrets, deps.clock.now()), input.rawBody, input.headers);
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
    // The cached secrets may predate a rotation: read them again (the store bounds how often) and retry once.
    const fresh = await deps.secrets.get(input.platformId, { fresh: true });
    if (fresh === null) throw error;
    verifySignature(responseSecretsInForce(fresh, deps.clock.now()), input.rawBody, input.headers);
  }
  const webhookId = input.headers['webhook-id'] ?? '';
  // It becomes part of a table key, so its length is bounded.
  if (webhookId.length > 200) throw new BadRequestError('webhook-id is longer than 200 characters');
  const key = `${input.platformId}#${webhookId}`;
  const claim = await deps.webhookIds.claim({
    key,
    requestHash: canonicalHash(input.rawBody),
    payload: {},
    leaseMs: LEASE_MS,
    ttlSeconds: WEBHOOK_ID_TTL_SECONDS,
  });
  // A webhook-id is processed once: its first answer is returned, whatever came with the repeat.
  if (claim.state === 'completed') return claim.response;
  if (claim.state === 'reused')
    throw new IdempotencyInFlightError('this webhook-id was already used for another body');
  if (claim.state === 'in_flight')
    throw new IdempotencyInFlightError('this webhook-id is still being processed');
  try {
    const body = validate(platformResponsesBodySchema, parseAnswerBody(input.rawBody));
    const response = await applyAnswers(deps, input.platformId, body.takedownRequestId, body.items);
    await deps.webhookIds.complete(key, response, WEBHOOK_ID_TTL_SECONDS);
    return response;
  } catch (error) {
    await deps.webhookIds.release(key);
    throw error;
  }
}

async function applyAnswers(
  deps: Deps,
  platformId: string,
  orderId: string,
  answers: ReturnType<typeof platformResponsesBodySchema.parse>['items'],
): Promise<IdempotentResponse> {
  const order = await deps.orders.getOrder(orderId);
  if (order === null || order.platformId !== platformId) {
    throw new NotFoundError(`order ${orderId} is not addressed to platform ${platformId}`);
  }
  // The last answer for an item inside one call wins.
  const latest = new Map(answers.map((answer) => [answer.itemId, answer]));
  const itemIds = [...latest.keys()];
  const results = new Map<string, ItemResult>();
  let tokenHolder = null;
  let lastOrder = order;
  for (let start = 0; start < itemIds.length; start += MAX_ITEMS_PER_CHANGE) {
    const chunkIds = itemIds.slice(start, start + MAX_ITEMS_PER_CHANGE);
    const { result, before, after } = await changeOrder(deps, orderId, async (current) => {
      const now = deps.clock.now();
      const items = new Map(
        (await deps.orders.getItems(orderId, chunkIds)).map((item) => [item.itemId, item]),
      );
      const chunkResults = new Map<string, ItemResult>();
      const counts = { ...current.itemCounts };
      const updates: { itemId: string; expectedStatus: ItemRecord['status']; set: Partial<ItemRecord> }[] =
        [];
      for (const itemId of chunkIds) {
        const item = items.get(itemId);
        const answer = latest.get(itemId);
        if (item === undefined || answer === undefined) {
          chunkResults.set(itemId, 'not_found');
          continue;
        }
        if (isFinalOrderStatus(current.status) || !acceptsAnswer(item.status)) {
          chunkResults.set(itemId, 'already_final');
          continue;
        }
        const status = statusAfterOutcome(answer.outcome);
        // On time is judged against the item's own deadline: the first one, or the fresh one an uphold gave it.
        // Later stage deadlines do not make a late removal timely.
        const firstDeadline = current.stageHistory[0]?.deadlineAt ?? current.deadlineAt;
        const deadline =
          item.deadlineAt !== null
            ? new Date(item.deadlineAt)
            : firstDeadline === null
              ? null
              : new Date(firstDeadline);
        // Late removal stops the fine from growing but keeps what accrued.
        const accruingSince =
          item.status === 'pending' && current.st2At !== null
            ? (item.fineAccruingSince ?? current.st2At)
            : null;
        const settled =
          accruingSince === null
            ? item.fineSettled
            : Math.min(
                current.policy.fine.capPerItem,
                item.fineSettled + accruedFine(current.policy, new Date(accruingSince), now),
              );
        counts[item.status] -= 1;
        counts[status] += 1;
        updates.push({
          itemId,
          expectedStatus: item.status,
          set: {
            status,
            outcome: answer.outcome,
            reason: answer.reason ?? null,
            actedAt: answer.actedAt ?? null,
            answeredAt: now.toISOString(),
            onTime: isOnTime(now, deadline),
            answeredAtStage: current.stage,
            fineSettled: settled,
            fineAccruingSince: null,
          },
        });
        chunkResults.set(itemId, 'applied');
      }
      if (updates.length === 0) return { result: chunkResults, change: null };
      const outcomes: Record<string, number> = {};
      for (const update of updates) {
        const outcome = String(update.set.outcome);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
      // Wake the wait once nothing is pending any more: all final ends it, only disputes moves to review.
      const wake = counts.pending === 0 && current.taskToken !== null;
      return {
        result: chunkResults,
        change: {
          set: {
            itemCounts: counts,
            ...(counts.disputed > 0 && current.disputedSince === null
              ? { disputedSince: now.toISOString() }
              : {}),
            ...(wake ? { taskToken: null, taskPurpose: null } : {}),
          },
          items: updates,
          audit: {
            orderId,
            at: now.toISOString(),
            actor: { kind: 'platform', id: platformId },
            action: 'items_answered',
            stage: current.stage,
            details: { outcomes, itemIds: updates.map((update) => update.itemId) },
          },
        },
      };
    });
    for (const [itemId, itemResult] of result) results.set(itemId, itemResult);
    if (before.taskToken !== null && after.taskToken === null) tokenHolder = before;
    lastOrder = after;
  }
  const applied = [...results.values()].filter((value) => value === 'applied').length;
  if (applied > 0) {
    await deps.events.publish([
      {
        type: 'takedown.items_answered',
        orderId,
        platformId,
        detail: { applied, itemCounts: lastOrder.itemCounts, stage: lastOrder.stage },
      },
    ]);
  }
  if (tokenHolder !== null) await wakeIfWaiting(deps, tokenHolder, { notify: null });
  return {
    statusCode: 200,
    body: {
      takedownRequestId: orderId,
      results: itemIds.map((itemId) => ({ itemId, result: results.get(itemId) ?? 'not_found' })),
    },
  };
}
