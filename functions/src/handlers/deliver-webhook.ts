import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { loadConfig } from '../config';
import { OUTBOUND_EVENTS } from '../domain/order-rules';
import { logger, metrics } from '../observability';
import { type DeliverResult, deliverWebhook } from '../use-cases/deliver-webhook';
import { buildDeps } from '../wiring';

const config = loadConfig(process.env, ['eventBus']);
const deps = buildDeps(config);

export const deliverInputSchema = z.object({
  orderId: z.string().min(1).max(80),
  // null: an escalation that had nothing new to announce; nothing is sent.
  event: z.enum(OUTBOUND_EVENTS).nullable(),
  attempt: z.number().int().min(0).default(0),
});

export class InvalidDeliveryInputError extends Error {
  override name = 'InvalidDeliveryInputError';
}

async function deliver(input: unknown): Promise<DeliverResult> {
  const parsed = deliverInputSchema.safeParse(input);
  if (!parsed.success)
    throw new InvalidDeliveryInputError(z.prettifyError(parsed.error), { cause: parsed.error });
  logger.appendKeys({ orderId: parsed.data.orderId, event: parsed.data.event, attempt: parsed.data.attempt });
  const { event, ...rest } = parsed.data;
  const result: DeliverResult =
    event === null
      ? { delivered: true, retryInSeconds: null, cancelled: false }
      : await deliverWebhook(deps, { ...rest, event });
  metrics.addMetric(result.delivered ? 'WebhookDelivered' : 'WebhookFailed', MetricUnit.Count, 1);
  logger.info('delivery attempt', { ...result });
  return result;
}

export const handler = middy(deliver)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
