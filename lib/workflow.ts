import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
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
import { acknowledgeNagFinding } from './nag';
import { buildWorkflowDefinition } from './workflow-definition';

export const STATE_MACHINE_LOGICAL_ID = 'OrderWorkflow';

/**
 * The state machine's name, fixed so that its ARN is known before it exists: the functions that start or wake
 * executions get the ARN without a dependency cycle (the state machine also depends on those functions).
 */
export function orderWorkflowName(scope: Construct): string {
  return `${Stack.of(scope).stackName}-OrderWorkflow`;
}

/** ARN of the order workflow built from its fixed name. */
export function orderWorkflowArn(scope: Construct): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: orderWorkflowName(scope),
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

export interface OrderWorkflowProps {
  /** One webhook attempt of one notice to the order's platform (all parts). */
  readonly deliverWebhookFunction: IFunction;
  /** The fallback email of one notice. */
  readonly emailNoticeFunction: IFunction;
  /** Runs `evaluate`, `registerWait`, `escalate` and `finalize`. */
  readonly workflowStepFunction: IFunction;
  /** Customer-managed key for the execution history and the log group. */
  readonly encryptionKey: IKey;
  /**
   * How long the execution log group keeps events.
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: RetentionDays;
}

/** The Standard, JSONata `OrderWorkflow` state machine: one execution per order, named by the order id. */
export class OrderWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: OrderWorkflowProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // A generated name: the group is retained, so a fixed one would block re-creating the stack.
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const definition = buildWorkflowDefinition({
      deliverWebhook: props.deliverWebhookFunction.functionArn,
      emailNotice: props.emailNoticeFunction.functionArn,
      workflowStep: props.workflowStepFunction.functionArn,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: orderWorkflowName(this),
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(stack.toJsonString(definition)),
      tracingEnabled: true,
      // Execution data (inputs, outputs) stays out of the logs: no personal data leaves the execution history.
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
      encryptionConfiguration: new CustomerManagedEncryptionConfiguration(
        props.encryptionKey,
        Duration.minutes(5),
      ),
    });
    (this.stateMachine.node.defaultChild as CfnStateMachine).overrideLogicalId(STATE_MACHINE_LOGICAL_ID);
    // The definition invokes the unqualified ARNs only, so no `:*` (versions and aliases) grant is needed.
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [
          props.deliverWebhookFunction.functionArn,
          props.emailNoticeFunction.functionArn,
          props.workflowStepFunction.functionArn,
        ],
      }),
    );
    acknowledgeNagFinding(
      this.stateMachine.role,
      'IAM5[Resource::*]',
      'Log delivery (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ' +
        'ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and X-Ray ' +
        '(xray:PutTraceSegments, PutTelemetryRecords, GetSampling*) accept only Resource "*", as AWS documents.',
    );
  }
}
