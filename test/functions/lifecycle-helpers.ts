import { Webhook } from 'standardwebhooks';
import { expect } from 'vitest';
import { OrderChanged } from '../../functions/src/domain/errors';
import { MalformedJsonError } from '../../functions/src/http/errors';
import { validate } from '../../functions/src/http/middleware';
import { platformMessageOf } from '../../functions/src/http/platform-message';
import { platformResponsesBodySchema, type SubmitOrderBody } from '../../functions/src/http/schemas';
import { deliverWebhook } from '../../functions/src/use-cases/deliver-webhook';
import { emailNotice } from '../../functions/src/use-cases/email-notice';
import { acceptOrderItems, type IntakeOutcome } from '../../functions/src/use-cases/intake-order';
import { registerPlatform } from '../../functions/src/use-cases/operator';
import {
  type PlatformResponsesResult,
  recordPlatformResponses,
} from '../../functions/src/use-cases/record-platform-responses';
import { submitOrder } from '../../functions/src/use-cases/submit-order';
import { warnDeadline } from '../../functions/src/use-cases/warn-deadline';
import { escalate, evaluate, finalize, registerWait } from '../../functions/src/use-cases/workflow-steps';
import { type TestWorld, testWorld } from './fakes';
import { DEFAULT_POLICY } from './policy-fixture';

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

/** Submits as the handler does; a large order's background intake then runs to its end, as Lambda would run it. */
export async function submit(world: TestWorld, body = orderBody(), key = 'key-1', agencyId = AGENCY) {
  const view = await submitOrder(world.deps, {
    agencyId,
    idempotencyKey: key,
    request: body,
    order: body,
  });
  await runIntakes(world);
  return view;
}

/** Runs the queued intake invocations (and those they queue) one after the other; answers their outcomes. */
export async function runIntakes(world: TestWorld): Promise<IntakeOutcome[]> {
  const outcomes: IntakeOutcome[] = [];
  for (let queued = world.intake.take(); queued.length > 0; queued = world.intake.take()) {
    for (const request of queued) outcomes.push(await acceptOrderItems(world.deps, request));
  }
  return outcomes;
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
    return platformMessageOf(validate(platformResponsesBodySchema, value));
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

/** The per-item results of a signed message that carried answers (not a clarification request). */
export function itemResults(result: PlatformResponsesResult) {
  if (!('results' in result)) throw new Error(`expected item results, got ${JSON.stringify(result)}`);
  return result.results;
}

export async function answer(
  world: TestWorld,
  responseSecret: string,
  orderId: string,
  items: { itemId: string; outcome: string; reason?: { code: string; explanation: string } }[],
  webhookId?: string,
) {
  const signed = signedAnswer(responseSecret, { takedownRequestId: orderId, items }, webhookId);
  const result = await recordPlatformResponses(world.deps, { platformId: 'michat', ...signed });
  return { takedownRequestId: result.takedownRequestId, results: itemResults(result) };
}

/** The platform asks, signed, for a clarification of the order (the clock stops). */
export async function askClarification(
  world: TestWorld,
  responseSecret: string,
  orderId: string,
  question: string,
) {
  const signed = signedAnswer(responseSecret, {
    takedownRequestId: orderId,
    clarificationRequest: { question },
  });
  return recordPlatformResponses(world.deps, { platformId: 'michat', ...signed });
}

export interface WorkflowRun {
  /** Every step taken, as `next` or `next:noticeId`, in order. */
  steps: string[];
  /** How it stopped: waiting (with the seconds it would wait) or done. */
  stopped: { next: 'wait'; waitSeconds: number } | { next: 'done' };
}

/**
 * Plays the state machine's loop on the use cases, the way `lib/workflow-definition.ts` does: Evaluate, then the
 * step it names, then Evaluate again, until the order waits (its token stored) or is done. The fake clock stands
 * still meanwhile; advance it and run again to let time pass.
 */
export async function runWorkflow(world: TestWorld, orderId: string, maxSteps = 50): Promise<WorkflowRun> {
  const steps: string[] = [];
  for (let count = 0; count < maxSteps; count += 1) {
    const decision = await evaluate(world.deps, orderId);
    steps.push(decision.noticeId ? `${decision.next}:${decision.noticeId}` : decision.next);
    const notice = { orderId, noticeId: decision.noticeId ?? '' };
    if (decision.next === 'done') return { steps, stopped: { next: 'done' } };
    if (decision.next === 'wait') {
      try {
        await registerWait(world.deps, {
          orderId,
          taskToken: `token-${orderId}-${steps.length}`,
          version: decision.version,
          evaluatedAt: decision.evaluatedAt,
        });
        return { steps, stopped: { next: 'wait', waitSeconds: decision.waitSeconds } };
      } catch (error) {
        if (!(error instanceof OrderChanged)) throw error;
        continue;
      }
    }
    if (decision.next === 'deliver') await deliverWebhook(world.deps, notice);
    if (decision.next === 'email') await emailNotice(world.deps, notice);
    if (decision.next === 'escalate') await escalate(world.deps, orderId);
    if (decision.next === 'warn') await warnDeadline(world.deps, orderId);
    if (decision.next === 'finalize') await finalize(world.deps, orderId);
  }
  throw new Error(`the workflow of ${orderId} took more than ${maxSteps} steps: ${steps.join(', ')}`);
}

/**
 * Lets `ms` of time pass for one order: runs its workflow, jumps the fake clock to each wake-up it asks for, and
 * runs again, until the time is spent or the workflow is done. Returns every step taken.
 */
export async function runWorkflowFor(world: TestWorld, orderId: string, ms: number): Promise<string[]> {
  const until = world.clock.now().getTime() + ms;
  const steps: string[] = [];
  for (;;) {
    const run = await runWorkflow(world, orderId);
    steps.push(...run.steps);
    if (run.stopped.next === 'done') return steps;
    const wakeAt = world.clock.now().getTime() + run.stopped.waitSeconds * 1000;
    if (wakeAt > until) {
      world.clock.set(new Date(until));
      return steps;
    }
    world.clock.set(new Date(wakeAt));
  }
}

/** An order of `itemCount` items, delivered by webhook (served), its workflow waiting. */
export async function deliveredOrder(itemCount = 3, overrides = {}, policy = DEFAULT_POLICY) {
  const world = testWorld(policy);
  const secrets = await registerMichat(world);
  const order = await submit(world, orderBody(overrides, itemCount));
  const run = await runWorkflow(world, order.id);
  expect(run.steps).toEqual(['deliver:000001', 'wait']);
  return { world, secrets, orderId: order.id };
}

/** A notice of the order as stored; fails the test when it does not exist. */
export const noticeOf = async (world: TestWorld, orderId: string, noticeId = '000001') => {
  const stored = await world.orders.getNotice(orderId, noticeId);
  if (stored === null) throw new Error(`no notice ${noticeId}`);
  return stored;
};
