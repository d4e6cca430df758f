/**
 * The order workflow as plain Amazon States Language (JSONata), exactly as the design contract describes it.
 * Kept free of CDK types so that tests, docs and the local Step Functions engine read the same document.
 */

/** ARNs of the two functions the state machine invokes (CDK tokens at synth, placeholders in tests). */
export interface WorkflowFunctionArns {
  readonly deliverWebhook: string;
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

/** Transient Lambda service errors: retried with jittered backoff, never surfaced as order failures. */
const lambdaServiceRetry: Json = [
  {
    ErrorEquals: [
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
      'Lambda.ClientExecutionTimeoutException',
    ],
    IntervalSeconds: 2,
    MaxAttempts: 6,
    BackoffRate: 2,
    JitterStrategy: 'FULL',
  },
];

const deliveredOrCancelled = '($states.input.delivered = true or $states.input.cancelled = true)';

function workflowStepTask(functionArn: string, action: string, next: string, assign?: State): State {
  return {
    Type: 'Task',
    Resource: LAMBDA_INVOKE,
    Arguments: { FunctionName: functionArn, Payload: { action, orderId: '{% $orderId %}' } },
    Output: '{% $states.result.Payload %}',
    ...(assign ? { Assign: assign } : {}),
    Retry: lambdaServiceRetry,
    Next: next,
  };
}

/** Builds the `OrderWorkflow` definition. Input `{ "orderId": "..." }`; the execution is named by the order id. */
export function buildWorkflowDefinition(arns: WorkflowFunctionArns): WorkflowDefinition {
  return {
    Comment:
      'Tenggat takedown order: notify, wait for answers until the deadline, escalate ST1-ST3, finalize',
    QueryLanguage: 'JSONata',
    StartAt: 'Start',
    States: {
      Start: {
        Type: 'Pass',
        Comment: 'Only the order id travels through the execution; items stay in DynamoDB.',
        Assign: {
          orderId: '{% $states.input.orderId %}',
          event: 'takedown.requested',
          attempt: 0,
          version: null,
          finalAfterDelivery: false,
          finalized: false,
        },
        Next: 'Deliver',
      },
      Deliver: {
        Type: 'Task',
        Comment:
          'One delivery attempt of one event (all parts). Delivery of takedown.requested starts the clock.',
        Resource: LAMBDA_INVOKE,
        Arguments: {
          FunctionName: arns.deliverWebhook,
          Payload: { orderId: '{% $orderId %}', event: '{% $event %}', attempt: '{% $attempt %}' },
        },
        Output: '{% $states.result.Payload %}',
        Retry: lambdaServiceRetry,
        Next: 'AfterDelivery',
      },
      AfterDelivery: {
        Type: 'Choice',
        Choices: [
          { Condition: `{% ${deliveredOrCancelled} and $finalized %}`, Next: 'Done' },
          { Condition: `{% ${deliveredOrCancelled} and $finalAfterDelivery %}`, Next: 'Finalize' },
          { Condition: `{% ${deliveredOrCancelled} %}`, Next: 'Evaluate' },
          {
            Condition: "{% $type($states.input.retryInSeconds) = 'number' %}",
            Assign: { attempt: '{% $attempt + 1 %}' },
            Next: 'WaitBeforeRetry',
          },
          { Condition: '{% $finalized %}', Next: 'Done' },
          { Condition: '{% $finalAfterDelivery %}', Next: 'Finalize' },
          { Condition: "{% $event = 'takedown.requested' %}", Next: 'MarkUndeliverable' },
        ],
        Default: 'Evaluate',
      },
      WaitBeforeRetry: {
        Type: 'Wait',
        Comment: 'The delay comes from the policy retry schedule, via the deliver function.',
        Seconds: '{% $max([0, $round($states.input.retryInSeconds)]) %}',
        Next: 'Deliver',
      },
      MarkUndeliverable: workflowStepTask(arns.workflowStep, 'markUndeliverable', 'HasRedeliveryVersion', {
        // A version from before markUndeliverable would be stale: only the answer's own version counts.
        version:
          "{% $type($states.result.Payload.version) = 'number' ? $states.result.Payload.version : null %}",
      }),
      HasRedeliveryVersion: {
        Type: 'Choice',
        Comment:
          'registerWait needs the current order version; read it when markUndeliverable did not return it.',
        Choices: [{ Condition: "{% $type($version) = 'number' %}", Next: 'AwaitRedelivery' }],
        Default: 'ReadRedeliveryVersion',
      },
      ReadRedeliveryVersion: workflowStepTask(arns.workflowStep, 'evaluate', 'AwaitRedelivery', {
        version: '{% $states.result.Payload.version %}',
      }),
      AwaitRedelivery: {
        Type: 'Task',
        Comment: 'Parks the order until an operator asks for redelivery (or withdraws it). No timeout.',
        Resource: LAMBDA_INVOKE_WAIT_FOR_TOKEN,
        Arguments: {
          FunctionName: arns.workflowStep,
          Payload: {
            action: 'registerWait',
            orderId: '{% $orderId %}',
            taskToken: '{% $states.context.Task.Token %}',
            version: '{% $version %}',
            purpose: 'redelivery',
          },
        },
        Assign: { event: 'takedown.requested', attempt: 0 },
        Retry: lambdaServiceRetry,
        Catch: [
          {
            ErrorEquals: ['OrderChanged'],
            Comment:
              'Redelivery or withdrawal arrived before the token was stored: deliver (or see it cancelled).',
            Assign: { event: 'takedown.requested', attempt: 0 },
            Next: 'Deliver',
          },
        ],
        Next: 'Deliver',
      },
      Evaluate: workflowStepTask(arns.workflowStep, 'evaluate', 'Route', {
        version: '{% $states.result.Payload.version %}',
      }),
      Route: {
        Type: 'Choice',
        Choices: [
          { Condition: '{% $states.input.done = true %}', Next: 'Finalize' },
          { Condition: '{% $states.input.deadlinePassed = true %}', Next: 'Escalate' },
        ],
        Default: 'AwaitAnswers',
      },
      AwaitAnswers: {
        Type: 'Task',
        Comment: 'Callback task whose timeout is the earliest open deadline (or the review reminder period).',
        Resource: LAMBDA_INVOKE_WAIT_FOR_TOKEN,
        Arguments: {
          FunctionName: arns.workflowStep,
          Payload: {
            action: 'registerWait',
            orderId: '{% $orderId %}',
            taskToken: '{% $states.context.Task.Token %}',
            version: '{% $version %}',
            purpose: 'answers',
          },
        },
        TimeoutSeconds: '{% $max([1, $ceil($states.input.waitSeconds)]) %}',
        Retry: lambdaServiceRetry,
        Catch: [
          {
            ErrorEquals: ['States.Timeout'],
            Comment: 'Deadline (or review reminder period) reached: evaluate escalates or reminds.',
            Next: 'Evaluate',
          },
          {
            ErrorEquals: ['OrderChanged'],
            Comment: 'Answers arrived before the token was stored: evaluate again, nothing is lost.',
            Next: 'Evaluate',
          },
        ],
        Next: 'AfterAnswers',
      },
      AfterAnswers: {
        Type: 'Choice',
        Comment: 'The waking handler sends { notify: <event type> | null }.',
        Choices: [
          {
            Condition: "{% $type($states.input.notify) = 'string' %}",
            Assign: { event: '{% $states.input.notify %}', attempt: 0, finalAfterDelivery: false },
            Next: 'Deliver',
          },
        ],
        Default: 'Evaluate',
      },
      Escalate: workflowStepTask(arns.workflowStep, 'escalate', 'AfterEscalate'),
      AfterEscalate: {
        Type: 'Choice',
        Comment:
          'No event when answers arrived between Evaluate and Escalate: nothing became overdue after all.',
        Choices: [
          {
            Condition: "{% $type($states.input.event) = 'string' %}",
            Assign: {
              event: '{% $states.input.event %}',
              attempt: 0,
              finalAfterDelivery: '{% $states.input.final = true %}',
            },
            Next: 'Deliver',
          },
          { Condition: '{% $states.input.final = true %}', Next: 'Finalize' },
        ],
        Default: 'Evaluate',
      },
      Finalize: workflowStepTask(arns.workflowStep, 'finalize', 'AfterFinalize'),
      AfterFinalize: {
        Type: 'Choice',
        Choices: [
          {
            Condition: "{% $type($states.input.notify) = 'string' %}",
            Assign: { event: '{% $states.input.notify %}', attempt: 0, finalized: true },
            Next: 'Deliver',
          },
        ],
        Default: 'Done',
      },
      Done: { Type: 'Succeed' },
    },
  };
}
