import { Duration } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';

export const RECONCILER_SCHEDULE = 'tenggat-reconciler';

/** The SES sending events recorded on the notice their email carried (`detail-type` as SES names them). */
export const SES_EVENT_TYPES = [
  'Email Sent',
  'Email Delivered',
  'Email Bounced',
  'Email Complaint Received',
  'Email Rejected',
] as const;

export interface RecoveryProps {
  /** Brings back the execution of every open order that has none running. */
  readonly reconciler: IFunction;
  /** Records SES delivery events on the notice their email carried. */
  readonly emailNotice: IFunction;
  /** Only events of messages sent with this configuration set are routed. */
  readonly configurationSetName: string;
  /**
   * How often the reconciler runs.
   * @default Duration.minutes(1)
   */
  readonly every?: Duration;
}

/**
 * What keeps every order moving and every email accounted for without anyone watching: an EventBridge Scheduler
 * schedule for the reconciler, and a rule on the default bus for the notice emails' SES events.
 */
export class Recovery extends Construct {
  readonly schedule: CfnSchedule;

  constructor(scope: Construct, id: string, props: RecoveryProps) {
    super(scope, id);
    // Its own role, allowed to invoke the unqualified reconciler and nothing else (the L2 target would add ':*').
    const role = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description: 'EventBridge Scheduler: runs the Tenggat reconciler',
    });
    role.addToPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.reconciler.functionArn] }),
    );
    this.schedule = new CfnSchedule(this, 'Reconciler', {
      name: RECONCILER_SCHEDULE,
      description: 'Every open order has a running execution: start, redrive or restart the missing ones',
      scheduleExpression: `rate(${(props.every ?? Duration.minutes(1)).toMinutes()} minute${
        (props.every ?? Duration.minutes(1)).toMinutes() === 1 ? '' : 's'
      })`,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: props.reconciler.functionArn,
        roleArn: role.roleArn,
        input: JSON.stringify({ source: RECONCILER_SCHEDULE }),
        // A missed run is not retried: the next one a minute later does the same work.
        retryPolicy: { maximumRetryAttempts: 0 },
      },
    });
    new Rule(this, 'NoticeEmailEvents', {
      description: 'SES sending events of notice emails, recorded on their notice',
      eventBus: EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      eventPattern: {
        source: ['aws.ses'],
        detailType: [...SES_EVENT_TYPES],
        detail: { mail: { tags: { 'ses:configuration-set': [props.configurationSetName] } } },
      },
      targets: [new LambdaFunction(props.emailNotice, { retryAttempts: 4 })],
    });
  }
}
