import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { logger, tracer } from '../observability';
import { warnDeadline } from '../use-cases/warn-deadline';
import {
  escalate,
  evaluate,
  finalize,
  registerWait,
  type WorkflowStepDeps,
} from '../use-cases/workflow-steps';
import { wireWorkflowStep } from '../wiring/wire-workflow-step';

export type WorkflowStepHandlerDeps = WorkflowStepDeps;

const orderId = z.string().min(1).max(80);
export const workflowStepSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('evaluate'), orderId }),
  z.object({
    action: z.literal('registerWait'),
    orderId,
    taskToken: z.string().min(1),
    version: z.number().int(),
    evaluatedAt: z.iso.datetime(),
  }),
  z.object({ action: z.literal('escalate'), orderId }),
  z.object({ action: z.literal('warn'), orderId }),
  z.object({ action: z.literal('finalize'), orderId }),
]);
type WorkflowStep = z.infer<typeof workflowStepSchema>;

export class InvalidWorkflowInputError extends Error {
  override name = 'InvalidWorkflowInputError';
}

function run(deps: WorkflowStepHandlerDeps, input: WorkflowStep): Promise<object> {
  switch (input.action) {
    case 'evaluate':
      return evaluate(deps, input.orderId);
    case 'registerWait':
      return registerWait(deps, input);
    case 'escalate':
      return escalate(deps, input.orderId);
    case 'warn':
      return warnDeadline(deps, input.orderId);
    case 'finalize':
      return finalize(deps, input.orderId);
  }
}

/** One step of the order workflow; errors propagate by name (e.g. OrderChanged) for the state machine to catch. */
export function makeHandler(deps: WorkflowStepHandlerDeps) {
  return middy(async (event: unknown): Promise<object> => {
    const parsed = workflowStepSchema.safeParse(event);
    if (!parsed.success)
      throw new InvalidWorkflowInputError(z.prettifyError(parsed.error), { cause: parsed.error });
    logger.appendKeys({ orderId: parsed.data.orderId, action: parsed.data.action });
    const result = await run(deps, parsed.data);
    logger.info('workflow step', { result });
    return result;
  })
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }));
}

export const handler = makeHandler(wireWorkflowStep());
