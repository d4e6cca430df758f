import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  type CfnStateMachine,
  CustomerManagedEncryptionConfiguration,
  DefinitionBody,
  LogLevel,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { SUBSCRIBED_MARK, SUBSCRIPTION_EVENTS } from '../functions/src/domain/subscriptions';
import { EVENT_SOURCE } from './events';
import { acknowledgeNagFinding } from './nag';

export const SUBSCRIPTION_DELIVERY_LOGICAL_ID = 'SubscriptionDelivery';

/** Transient Lambda service errors, retried patiently (as in the order workflow). */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
];

/**
 * One execution per bus event: `Deliver` makes one attempt to every subscription owed the event and answers which
 * are still pending and how long to wait (the order's `deliveryRetrySchedule`); `WaitForRetry` waits that long.
 * The same mechanism as a platform notice's retries: a schedule read from the policy, waited out by Step Functions.
 */
export function buildSubscriptionDeliveryDefinition(deliverFunctionArn: string) {
  return {
    Comment:
      "Tenggat: one domain event to the agency's webhook subscriptions, retried on the order's schedule",
    QueryLanguage: 'JSONata',
    StartAt: 'Deliver',
    States: {
      Deliver: {
        Type: 'Task',
        Comment: 'First the EventBridge event itself, then what the previous round answered.',
        Resource: 'arn:aws:states:::lambda:invoke',
        Arguments: { FunctionName: deliverFunctionArn, Payload: '{% $states.input %}' },
        Output: '{% $states.result.Payload %}',
        Retry: [
          {
            ErrorEquals: LAMBDA_SERVICE_ERRORS,
            IntervalSeconds: 2,
            MaxAttempts: 6,
            BackoffRate: 2,
            JitterStrategy: 'FULL',
          },
          { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 },
        ],
        Next: 'Pending',
      },
      Pending: {
        Type: 'Choice',
        Choices: [{ Condition: '{% $count($states.input.pending) > 0 %}', Next: 'WaitForRetry' }],
        Default: 'Done',
      },
      WaitForRetry: {
        Type: 'Wait',
        Seconds: '{% $max([1, $states.input.waitSeconds]) %}',
        Next: 'Deliver',
      },
      Done: { Type: 'Succeed' },
    },
  } as const;
}

export interface AgencySubscriptionsProps {
  /** The Tenggat domain event bus. */
  readonly eventBus: IEventBus;
  /** `DeliverSubscriptionsFunction`. */
  readonly deliverFunction: IFunction;
  /** Customer-managed key for the execution history and the log group. */
  readonly encryptionKey: IKey;
}

/** Agency webhook subscriptions: a rule for every subscription event of the bus, and the delivery state machine. */
export class AgencySubscriptions extends Construct {
  readonly stateMachine: StateMachine;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: AgencySubscriptionsProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.THREE_MONTHS,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const definition = buildSubscriptionDeliveryDefinition(props.deliverFunction.functionArn);
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(Stack.of(this).toJsonString(definition)),
      tracingEnabled: true,
      // The events carry clarification questions: execution data stays out of the logs.
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
      encryptionConfiguration: new CustomerManagedEncryptionConfiguration(
        props.encryptionKey,
        Duration.minutes(5),
      ),
    });
    (this.stateMachine.node.defaultChild as CfnStateMachine).overrideLogicalId(
      SUBSCRIPTION_DELIVERY_LOGICAL_ID,
    );
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [props.deliverFunction.functionArn],
      }),
    );
    acknowledgeNagFinding(
      this.stateMachine.role,
      'IAM5[Resource::*]',
      'Log delivery (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ' +
        'ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and X-Ray ' +
        '(xray:PutTraceSegments, PutTelemetryRecords, GetSampling*) accept only Resource "*", as AWS documents.',
    );
    this.rule = new Rule(this, 'Events', {
      description:
        "Tenggat domain events a subscription of the order's agency takes: each goes to those subscriptions",
      eventBus: props.eventBus,
      // Publishers mark the events some subscription takes (SubscriptionMarkingPublisher): the rest start nothing.
      eventPattern: {
        source: [EVENT_SOURCE],
        detailType: [...SUBSCRIPTION_EVENTS],
        detail: { [SUBSCRIBED_MARK]: [true] },
      },
      targets: [new SfnStateMachine(this.stateMachine)],
    });
  }
}
