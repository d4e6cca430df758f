import * as z from 'zod';

// The HTTP contract of the operator's execution view (GET /v1/takedown-requests/{id}/execution).

export const executionQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1_000).default(200).describe('Events per page'),
  nextToken: z
    .string()
    .min(1)
    .max(3_000)
    .optional()
    .describe('The previous page’s nextToken (Step Functions’ own, opaque)'),
});

export const executionEventSchema = z.object({
  id: z.number().int(),
  timestamp: z.string().describe('ISO 8601, UTC'),
  type: z.string().describe('The Step Functions history event type, e.g. TaskStateEntered'),
  stateName: z
    .string()
    .nullable()
    .describe(
      'The state the event belongs to (from the event, else the event it follows); null for execution events',
    ),
  input: z.string().nullable().describe('JSON text, as Step Functions recorded it'),
  output: z.string().nullable().describe('JSON text, as Step Functions recorded it'),
  error: z.string().nullable(),
  cause: z.string().nullable(),
});

export const executionViewSchema = z.object({
  executionArn: z.string(),
  stateMachineArn: z.string(),
  name: z.string().describe('The order id (a recovered execution: <orderId>.<n>)'),
  status: z.string().describe('RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED or PENDING_REDRIVE'),
  startDate: z.string(),
  stopDate: z.string().nullable(),
  redriveCount: z.number().int(),
  redriveStatus: z.string().nullable(),
  awsConsoleUrl: z
    .string()
    .describe('The execution’s page in the AWS console (meaningful only when deployed)'),
  deployed: z.boolean().describe('false on the local cloud, where awsConsoleUrl leads nowhere'),
  definition: z
    .record(z.string(), z.unknown())
    .describe('The ASL definition this execution runs (DescribeStateMachineForExecution), parsed'),
  currentStates: z
    .array(z.string())
    .describe('States entered and not yet exited (none once the execution ended), in order of first entry'),
  visitedStates: z.array(z.string()).describe('Every state entered, in order of first entry'),
  statesComplete: z
    .boolean()
    .describe(
      'true when currentStates/visitedStates cover the whole history: on the first page of a history of at most ' +
        '1,000 events. Otherwise they cover the first 1,000 events (first page) or this page only (later pages).',
    ),
  events: z.array(executionEventSchema).describe('Oldest first'),
  nextToken: z.string().nullable(),
});
export type ExecutionViewBody = z.infer<typeof executionViewSchema>;
