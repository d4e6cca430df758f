import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { loadConfig } from '../config';
import { logger } from '../observability';
import { escalate, evaluate, finalize, markUndeliverable, registerWait } from '../use-cases/workflow-steps';
import { buildDeps } from '../wiring';

const config = loadConfig(process.env, ['eventBus']);
const deps = buildDeps(config);

const orderId = z.string().min(1).max(80);
export const workflowStepSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('evaluate'), orderId }),
  z.object({
    action: z.literal('registerWait'),
    orderId,
    taskToken: z.string().min(1),
    version: z.number().int(),
    purpose: z.enum(['answers', 'redelivery']),
  }),
  z.object({ action: z.literal('escalate'), orderId }),
  z.object({ action: z.literal('finalize'), orderId }),
  z.object({ action: z.literal('markUndeliverable'), orderId }),
]);

export class InvalidWorkflowInputError extends Error {
  override name = 'InvalidWorkflowInputError';
}

async function step(event: unknown): Promise<unknown> {
  const parsed = workflowStepSchema.safeParse(event);
  if (!parsed.success)
    throw new InvalidWorkflowInputError(z.prettifyError(parsed.error), { cause: parsed.error });
  const input = parsed.data;
  logger.appendKeys({ orderId: input.orderId, action: input.action });
  switch (input.action) {
    case 'evaluate':
      return evaluate(deps, input.orderId);
    case 'registerWait':
      return registerWait(deps, input);
    case 'escalate':
      return escalate(deps, input.orderId);
    case 'finalize':
      return finalize(deps, input.orderId);
    case 'markUndeliverable':
      return markUndeliverable(deps, input.orderId);
  }
}

// Errors propagate by name (e.g. OrderChanged) so that the state machine can catch them.
export const handler = middy(step).use(injectLambdaContext(logger, { resetKeys: true }));
