import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { logger, metrics, tracer } from '../observability';
import { type DeliverResult, type DeliverWebhookDeps, deliverWebhook } from '../use-cases/deliver-webhook';
import { wireDeliverWebhook } from '../wiring/wire-deliver-webhook';

export type DeliverWebhookHandlerDeps = DeliverWebhookDeps;

export const deliverInputSchema = z.object({
  orderId: z.string().min(1).max(80),
  noticeId: z.string().regex(/^\d{6}$/),
});

export class InvalidDeliveryInputError extends Error {
  override name = 'InvalidDeliveryInputError';
}

/** One webhook attempt of one notice, all its parts, for the state machine's DeliverNotice state. */
export function makeHandler(deps: DeliverWebhookHandlerDeps) {
  return middy(async (input: unknown): Promise<DeliverResult> => {
    const parsed = deliverInputSchema.safeParse(input);
    if (!parsed.success)
      throw new InvalidDeliveryInputError(z.prettifyError(parsed.error), { cause: parsed.error });
    logger.appendKeys({ orderId: parsed.data.orderId, noticeId: parsed.data.noticeId });
    const result = await deliverWebhook(deps, parsed.data);
    if (result.outcome !== 'skipped')
      metrics.addMetric(
        result.outcome === 'delivered' ? 'WebhookDelivered' : 'WebhookFailed',
        MetricUnit.Count,
        1,
      );
    logger.info('delivery attempt', { ...result });
    return result;
  })
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}

export const handler = makeHandler(wireDeliverWebhook());
