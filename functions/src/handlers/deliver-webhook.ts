import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { OUTBOUND_EVENTS } from '../domain/order-rules';
import { logger, metrics, tracer } from '../observability';
import { type DeliverResult, type DeliverWebhookDeps, deliverWebhook } from '../use-cases/deliver-webhook';
import { wireDeliverWebhook } from '../wiring/wire-deliver-webhook';

export type DeliverWebhookHandlerDeps = DeliverWebhookDeps;

export const deliverInputSchema = z.object({
  orderId: z.string().min(1).max(80),
  // null: an escalation that had nothing new to announce; nothing is sent.
  event: z.enum(OUTBOUND_EVENTS).nullable(),
  attempt: z.number().int().min(0).default(0),
});

export class InvalidDeliveryInputError extends Error {
  override name = 'InvalidDeliveryInputError';
}

/** One delivery attempt of one event, all its parts, for the state machine's Deliver state. */
export function makeHandler(deps: DeliverWebhookHandlerDeps) {
  return middy(async (input: unknown): Promise<DeliverResult> => {
    const parsed = deliverInputSchema.safeParse(input);
    if (!parsed.success)
      throw new InvalidDeliveryInputError(z.prettifyError(parsed.error), { cause: parsed.error });
    const { event, ...rest } = parsed.data;
    logger.appendKeys({ orderId: rest.orderId, event, attempt: rest.attempt });
    const result: DeliverResult =
      event === null
        ? { delivered: true, retryInSeconds: null, cancelled: false }
        : await deliverWebhook(deps, { ...rest, event });
    metrics.addMetric(result.delivered ? 'WebhookDelivered' : 'WebhookFailed', MetricUnit.Count, 1);
    logger.info('delivery attempt', { ...result });
    return result;
  })
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}

export const handler = makeHandler(wireDeliverWebhook());
