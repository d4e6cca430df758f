/**
 * The order workflow as plain Amazon States Language (JSONata), exactly as the design contract describes it.
 * Kept free of CDK types so that tests, docs and the local Step Functions engine read the same document.
 *
 * One loop: `Evaluate` reads the order and its notices from DynamoDB and names the one thing to do next (email a
 * notice, attempt a webhook, escalate, warn of a deadline, finalize, wait, or stop); every task returns to `Evaluate`. Because every
 * entry goes straight to `Evaluate`, a new execution started for a recovered order resumes where the order is.
 */

/** ARNs of the functions the state machine invokes (CDK tokens at synth, placeholders in tests). */
export interface WorkflowFunctionArns {
  readonly deliverWebhook: string;
  readonly emailNotice: string;
  readonly workflowStep: string;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type State = { [key: string]: Json };
export interface WorkflowDefinition {
  readonly Comment: string;
  readonly QueryLanguage: 'JSONata';
  readonly StartAt: string;
  readonly States: Record<string, State>;
}

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_INVOKE_WAIT_FOR_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/** What `Evaluate` may answer in `next`, and the state that does it. */
export const NEXT_STEPS = {
  email: 'EmailNotice',
  deliver: 'DeliverNotice',
  escalate: 'Escalate',
  warn: 'WarnDeadline',
  finalize: 'Finalize',
  wait: 'Await',
  done: 'Done',
} as const;
export type NextStep = keyof typeof NEXT_STEPS;

/** Transient Lambda service errors: retried with jittered backoff, never surfaced as order failures. */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
];

/**
 * Service errors are retried patiently; any other function error twice, quickly. Past that the execution fails, and
 * the reconciler redrives it from the failed state (see `docs/workflow.md`).
 */
function taskRetry(neverRetried: string[] = []): Json {
  return [
    ...(neverRetried.length > 0 ? [{ ErrorEquals: neverRetried, MaxAttempts: 0 }] : []),
    {
      ErrorEquals: LAMBDA_SERVICE_ERRORS,
      IntervalSeconds: 2,
      MaxAttempts: 6,
      BackoffRate: 2,
      JitterStrategy: 'FULL',
    },
    { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 },
  ];
}

function lambdaTask(
  functionArn: string,
  payload: Record<string, Json>,
  comment: string,
  extra: State = {},
): State {
  return {
    Type: 'Task',
    Comment: comment,
    Resource: LAMBDA_INVOKE,
    Arguments: { FunctionName: functionArn, Payload: { orderId: '{% $orderId %}', ...payload } },
    Output: '{% $states.result.Payload %}',
    Retry: taskRetry(),
    Next: 'Evaluate',
    ...extra,
  };
}

/** Builds the `OrderWorkflow` definition. Input `{ "orderId": "...", "recovery"?: n }`. */
export function buildWorkflowDefinition(arns: WorkflowFunctionArns): WorkflowDefinition {
  return {
    Comment:
      'Tenggat takedown order: serve it (webhook, else email), hold the platform to each deadline (ST1-ST3), finalize',
    QueryLanguage: 'JSONata',
    StartAt: 'Start',
    States: {
      Start: {
        Type: 'Pass',
        Comment:
          'Only the order id travels through the execution; the order, its items and notices stay in DynamoDB.',
        Assign: { orderId: '{% $states.input.orderId %}', version: null },
        Next: 'Evaluate',
      },
      Evaluate: lambdaTask(
        arns.workflowStep,
        { action: 'evaluate' },
        'Reads the order and its notices and names the next step: email, deliver, escalate, warn, finalize, wait or done.',
        { Assign: { version: '{% $states.result.Payload.version %}' }, Next: 'Route' },
      ),
      Route: {
        Type: 'Choice',
        Choices: (Object.entries(NEXT_STEPS) as [NextStep, string][])
          .filter(([next]) => next !== 'wait')
          .map(([next, stateName]) => ({
            Condition: `{% $states.input.next = '${next}' %}`,
            Next: stateName,
          })),
        Default: 'Await',
      },
      EmailNotice: lambdaTask(
        arns.emailNotice,
        { noticeId: '{% $states.input.noticeId %}' },
        "The notice's webhook did not succeed within the service grace period: email it to the platform's contact.",
      ),
      DeliverNotice: lambdaTask(
        arns.deliverWebhook,
        { noticeId: '{% $states.input.noticeId %}' },
        'One webhook attempt of one notice (all parts); the next attempt is scheduled on the notice itself.',
      ),
      Escalate: lambdaTask(
        arns.workflowStep,
        { action: 'escalate' },
        'A deadline passed while the clock ran: the next stage, and its notice in the outbox.',
      ),
      WarnDeadline: lambdaTask(
        arns.workflowStep,
        { action: 'warn' },
        'A warnAt fraction of the deadline in force passed with items open: takedown.deadline_approaching in the outbox.',
      ),
      Finalize: lambdaTask(
        arns.workflowStep,
        { action: 'finalize' },
        'Nothing open, ST3 reached or withdrawn: the final status (and the withdrawal notice in the outbox).',
      ),
      Await: {
        Type: 'Task',
        Comment:
          'Callback task whose timeout is the next thing due (deadline, warning, webhook retry, email, review reminder). ' +
          'Handlers that change the order wake it; registerWait refuses a stale or changed order.',
        Resource: LAMBDA_INVOKE_WAIT_FOR_TOKEN,
        Arguments: {
          FunctionName: arns.workflowStep,
          Payload: {
            action: 'registerWait',
            orderId: '{% $orderId %}',
            taskToken: '{% $states.context.Task.Token %}',
            version: '{% $version %}',
            evaluatedAt: '{% $states.input.evaluatedAt %}',
          },
        },
        TimeoutSeconds: '{% $max([1, $ceil($states.input.waitSeconds)]) %}',
        Retry: taskRetry(['OrderChanged']),
        Catch: [
          {
            ErrorEquals: ['States.Timeout'],
            Comment: 'Something came due: evaluate does it.',
            Next: 'Evaluate',
          },
          {
            ErrorEquals: ['OrderChanged'],
            Comment:
              'The order changed (or the wait is stale, e.g. after a redrive) before the token was stored.',
            Next: 'Evaluate',
          },
        ],
        Next: 'Evaluate',
      },
      Done: { Type: 'Succeed' },
    },
  };
}
