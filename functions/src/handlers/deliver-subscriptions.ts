import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { logger, metrics, tracer } from '../observability';
import {
  type DeliverSubscriptionsDeps,
  deliverToSubscriptions,
  type SubscriptionRound,
  type SubscriptionRoundResult,
} from '../use-cases/deliver-subscriptions';
import { wireDeliverSubscriptions } from '../wiring/wire-deliver-subscriptions';

const busEventSchema = z.object({
  id: z.string().min(1).max(100),
  'detail-type': z.string().min(1).max(128),
  time: z.string().min(1).max(40),
  detail: z.record(z.string(), z.unknown()),
});

/** The first round gets the EventBridge event itself; later rounds get what the previous round answered. */
export const roundInputSchema = z.union([
  z.object({
    event: z.object({
      id: z.string(),
      type: z.string(),
      time: z.string(),
      detail: z.record(z.string(), z.unknown()),
    }),
    attempt: z.number().int().min(0).max(100),
    pending: z.array(z.string().max(80)).max(1_000).nullable(),
  }),
  busEventSchema.transform(
    (event): SubscriptionRound => ({
      event: { id: event.id, type: event['detail-type'], time: event.time, detail: event.detail },
      attempt: 0,
      pending: null,
    }),
  ),
]);

export class InvalidRoundInputError extends Error {
  override name = 'InvalidRoundInputError';
}

/** One round of deliveries of one bus event to the agency's subscriptions, for the `SubscriptionDelivery` machine. */
export function makeHandler(deps: DeliverSubscriptionsDeps) {
  return middy(async (input: unknown): Promise<SubscriptionRoundResult> => {
    const parsed = roundInputSchema.safeParse(input);
    if (!parsed.success)
      throw new InvalidRoundInputError(z.prettifyError(parsed.error), { cause: parsed.error });
    const round = parsed.data;
    logger.appendKeys({ eventId: round.event.id, eventType: round.event.type });
    const result = await deliverToSubscriptions(deps, round);
    if (result.pending.length > 0)
      metrics.addMetric('SubscriptionDeliveryRetried', MetricUnit.Count, result.pending.length);
    logger.info('subscription round', { attempt: result.attempt, pending: result.pending.length });
    return result;
  })
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}

export const handler = makeHandler(wireDeliverSubscriptions());
