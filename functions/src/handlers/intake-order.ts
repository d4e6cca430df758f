import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { logger, tracer } from '../observability';
import { type AcceptItemsDeps, acceptOrderItems, type IntakeOutcome } from '../use-cases/intake-order';
import { wireIntakeOrder } from '../wiring/wire-intake-order';

export type IntakeOrderHandlerDeps = AcceptItemsDeps;

export const intakeRequestSchema = z.object({
  orderId: z.string().min(1).max(80),
  from: z.number().int().min(0),
  trigger: z.enum(['submit', 'continue', 'reconciler']),
});

export class InvalidIntakeRequestError extends Error {
  override name = 'InvalidIntakeRequestError';
}

/** Invoked asynchronously (by the submit, by itself for the next slices, by the reconciler): writes order items. */
export function makeHandler(deps: IntakeOrderHandlerDeps) {
  return middy(async (event: unknown): Promise<IntakeOutcome> => {
    const parsed = intakeRequestSchema.safeParse(event);
    if (!parsed.success)
      throw new InvalidIntakeRequestError(z.prettifyError(parsed.error), { cause: parsed.error });
    logger.appendKeys({ orderId: parsed.data.orderId, trigger: parsed.data.trigger });
    const outcome = await acceptOrderItems(deps, parsed.data);
    logger.info('intake', { from: parsed.data.from, outcome });
    return outcome;
  })
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }));
}

export const handler = makeHandler(wireIntakeOrder());
