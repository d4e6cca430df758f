import { Webhook } from 'standardwebhooks';
import { MalformedJsonError } from '../../functions/src/http/errors';
import { validate } from '../../functions/src/http/middleware';
import { platformResponsesBodySchema, type SubmitOrderBody } from '../../functions/src/http/schemas';
import { registerPlatform } from '../../functions/src/use-cases/operator';
import { recordPlatformResponses } from '../../functions/src/use-cases/record-platform-responses';
import { submitOrder } from '../../functions/src/use-cases/submit-order';
import type { TestWorld } from './fakes';

export const AGENCY = 'komdigi-ais';

export function orderBody(overrides: Partial<SubmitOrderBody> = {}, itemCount = 3): SubmitOrderBody {
  return {
    platformId: 'michat',
    category: 'gambling',
    legalBasis: ['UU ITE Art. 40(2b)', 'PM Kominfo 5/2020 Art. 15'],
    reason: 'Online gambling promotion',
    reference: 'AIS/2026/11/0042',
    territorialScope: ['ID'],
    items: Array.from({ length: itemCount }, (_, index) => ({
      kind: 'url' as const,
      locator: `https://michat.example/p/${index + 1}`,
    })),
    ...overrides,
  };
}

export async function registerMichat(world: TestWorld) {
  return registerPlatform(world.deps, {
    id: 'michat',
    name: 'MiChat',
    webhookUrl: 'https://hooks.michat.example/tenggat',
    contactEmail: 'legal@michat.example',
  });
}

export async function submit(world: TestWorld, body = orderBody(), key = 'key-1', agencyId = AGENCY) {
  return submitOrder(world.deps, {
    agencyId,
    idempotencyKey: key,
    request: body,
    order: body,
  });
}

/** Reads a signed answer's body as the platform responses handler does: JSON, then the schema. */
export function answersIn(rawBody: string) {
  return () => {
    let value: unknown;
    try {
      value = rawBody.trim() === '' ? undefined : JSON.parse(rawBody);
    } catch (cause) {
      throw new MalformedJsonError('the body is not valid JSON', { cause });
    }
    return validate(platformResponsesBodySchema, value);
  };
}

let webhookCounter = 0;

/** Signs an answer the way a platform does with the standardwebhooks library. */
export function signedAnswer(secret: string, body: unknown, webhookId = `msg_answer_${++webhookCounter}`) {
  const rawBody = JSON.stringify(body);
  const timestamp = new Date();
  return {
    rawBody,
    readAnswers: answersIn(rawBody),
    headers: {
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(webhookId, timestamp, rawBody),
    },
  };
}

export async function answer(
  world: TestWorld,
  responseSecret: string,
  orderId: string,
  items: { itemId: string; outcome: string; reason?: { code: string; explanation: string } }[],
  webhookId?: string,
) {
  const signed = signedAnswer(responseSecret, { takedownRequestId: orderId, items }, webhookId);
  return recordPlatformResponses(world.deps, { platformId: 'michat', ...signed });
}
