import { RemovalPolicy } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { EventBus, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from './events';

export const OPERATOR_ALERTS_TOPIC = 'tenggat-operator-alerts';

/** Domain events that need a person: a platform no longer reachable, an order whose execution was brought back. */
export const OPERATOR_EVENTS = ['platform.undeliverable', 'order.execution_recovered'] as const;

export interface OperatorAlertsProps {
  /** Addresses subscribed by email (the operators of `config/agencies.json`). */
  readonly operatorEmails: readonly string[];
  /** The Tenggat domain event bus. */
  readonly eventBus: IEventBus;
  /** ARN of the order workflow, whose failed, timed-out and aborted executions are reported. */
  readonly stateMachineArn: string;
  /** Other state machines reported the same way (the agency subscriptions' delivery). */
  readonly otherStateMachineArns?: readonly string[];
  /** Every alarm of the stack, each of which notifies the topic. */
  readonly alarms: readonly Alarm[];
}

/**
 * One SNS topic for operators: every alarm, the operator events of the domain bus, and Step Functions' own status
 * change events for order executions that stopped without finishing.
 */
export class OperatorAlerts extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: OperatorAlertsProps) {
    super(scope, id);
    // Its own key: CloudWatch and EventBridge must be allowed to publish to an encrypted topic.
    const key = new Key(this, 'Key', {
      description: 'Tenggat: operator alerts topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      key.grant(new ServicePrincipal(service), 'kms:Decrypt', 'kms:GenerateDataKey*');
    }
    this.topic = new Topic(this, 'Topic', {
      topicName: OPERATOR_ALERTS_TOPIC,
      displayName: 'Tenggat operator alerts',
      masterKey: key,
      enforceSSL: true,
    });
    for (const address of props.operatorEmails) this.topic.addSubscription(new EmailSubscription(address));
    for (const alarm of props.alarms) alarm.addAlarmAction(new SnsAction(this.topic));

    new Rule(this, 'OperatorEvents', {
      description: 'Tenggat domain events that need an operator',
      eventBus: props.eventBus,
      eventPattern: { source: [EVENT_SOURCE], detailType: [...OPERATOR_EVENTS] },
      targets: [new SnsTopic(this.topic)],
    });
    new Rule(this, 'WorkflowStopped', {
      description:
        'An order execution (the reconciler brings it back) or a subscription delivery failed, timed out or was aborted',
      eventBus: EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
          stateMachineArn: [props.stateMachineArn, ...(props.otherStateMachineArns ?? [])],
        },
      },
      targets: [new SnsTopic(this.topic)],
    });
  }
}
