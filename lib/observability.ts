import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface ObservabilityProps {
  readonly functions: ReadonlyMap<string, IFunction>;
  readonly stateMachine: StateMachine;
  readonly restApi: RestApi;
  readonly table: ITable;
  /**
   * Name of the CloudWatch dashboard.
   * @default 'Tenggat'
   */
  readonly dashboardName?: string;
}

/**
 * Alarms and a dashboard. Every Lambda here is invoked synchronously (API Gateway, Step Functions), so there is
 * no dead-letter queue: a failure shows up as a function error, a 5XX or a failed execution, and each has an alarm.
 */
export class Observability extends Construct {
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const alarmOn = (alarmId: string, metric: IMetric, description: string) => {
      const alarm = new Alarm(this, alarmId, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      this.alarms.push(alarm);
      return alarm;
    };

    const errorMetrics: IMetric[] = [];
    const throttleMetrics: IMetric[] = [];
    for (const [functionId, fn] of props.functions) {
      const errors = fn.metricErrors({ period, statistic: 'Sum' });
      const throttles = fn.metricThrottles({ period, statistic: 'Sum' });
      // Labels only on the dashboard: a labelled metric turns the alarm into a metric-math alarm.
      errorMetrics.push(errors.with({ label: functionId }));
      throttleMetrics.push(throttles.with({ label: functionId }));
      alarmOn(`${functionId}Errors`, errors, `${functionId} threw (an unhandled error or a timeout)`);
      alarmOn(`${functionId}Throttles`, throttles, `${functionId} was throttled (concurrency limit reached)`);
    }

    const failed = props.stateMachine.metricFailed({ period, statistic: 'Sum' });
    const timedOut = props.stateMachine.metricTimedOut({ period, statistic: 'Sum' });
    const aborted = props.stateMachine.metricAborted({ period, statistic: 'Sum' });
    alarmOn(
      'OrderWorkflowFailed',
      failed,
      'An order execution failed: the order no longer advances by itself',
    );
    alarmOn('OrderWorkflowTimedOut', timedOut, 'An order execution timed out');
    alarmOn('OrderWorkflowAborted', aborted, 'An order execution was stopped by hand');

    const serverErrors = props.restApi.metricServerError({ period, statistic: 'Sum' });
    alarmOn(
      'ApiServerErrors',
      serverErrors,
      'The API answered 5XX (the contract says no client request may)',
    );

    const tableThrottles = props.table.metric('ThrottledRequests', { period, statistic: 'Sum' });
    alarmOn('TableThrottles', tableThrottles, 'DynamoDB throttled requests to the Tenggat table');

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? 'Tenggat',
      widgets: [
        [new TextWidget({ markdown: '# Tenggat\nOrders, deliveries and deadlines', width: 24, height: 2 })],
        [
          new GraphWidget({
            title: 'API requests and errors',
            left: [
              props.restApi.metricCount({ period, statistic: 'Sum' }),
              props.restApi.metricClientError({ period, statistic: 'Sum' }),
              serverErrors,
            ],
            right: [props.restApi.metricLatency({ period, statistic: 'p99' })],
            width: 12,
          }),
          new GraphWidget({
            title: 'Order executions',
            left: [
              props.stateMachine.metricStarted({ period, statistic: 'Sum' }),
              props.stateMachine.metricSucceeded({ period, statistic: 'Sum' }),
              failed,
              timedOut,
              aborted,
            ],
            width: 12,
          }),
        ],
        [
          new GraphWidget({ title: 'Function errors', left: errorMetrics, width: 12 }),
          new GraphWidget({ title: 'Function throttles', left: throttleMetrics, width: 12 }),
        ],
        [
          new GraphWidget({
            title: 'Table capacity',
            left: [
              props.table.metricConsumedReadCapacityUnits(),
              props.table.metricConsumedWriteCapacityUnits(),
            ],
            right: [tableThrottles],
            width: 24,
          }),
        ],
      ],
    });
  }
}
