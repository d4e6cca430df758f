/** A small CDK stack with one of each resource kind the local cloud runs, synthesized into a temp dir. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/** Handler source of the fixture function: echoes, fails, sleeps or answers big on request; records events. */
export const FIXTURE_HANDLER = `
exports.handler = async (event, context) => {
  if (process.env.RECORD_FILE) {
    require('fs').appendFileSync(process.env.RECORD_FILE, JSON.stringify({ fn: context.functionName, event }) + '\\n');
  }
  const query = (event && event.queryStringParameters) || {};
  if ((event && event.fail) || query.fail) throw new TypeError('asked to fail');
  const sleepMs = (event && event.sleepMs) || Number(query.sleepMs || 0);
  if (sleepMs) await new Promise((r) => setTimeout(r, sleepMs));
  if (event && event.bigResponseBytes) return { big: 'x'.repeat(event.bigResponseBytes) };
  if (event && event.log) console.log('log line', event.log);
  if (event && event.httpMethod) {
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event }) };
  }
  return {
    echo: event,
    requestId: context.awsRequestId,
    functionName: context.functionName,
    remaining: context.getRemainingTimeInMillis(),
    table: process.env.TABLE_NAME,
    nodeVersion: process.version,
    endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    pid: process.pid,
  };
};
`;

export interface FixtureStack {
  cdkOutDir: string;
  stackName: string;
  /** Where the recorder function appends `{ fn, event }` lines. */
  recordFile: string;
}

export function synthFixtureStack(): FixtureStack {
  const root = mkdtempSync(join(tmpdir(), 'local-cloud-fixture-'));
  const codeDir = join(root, 'code');
  mkdirSync(codeDir);
  writeFileSync(join(codeDir, 'index.js'), FIXTURE_HANDLER);
  const cdkOutDir = join(root, 'cdk.out');
  const app = new App({ outdir: cdkOutDir });
  const stack = new Stack(app, 'FixtureStack', { env: { region: 'eu-west-1', account: '123456789012' } });

  const table = new dynamodb.Table(stack, 'DataTable', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    timeToLiveAttribute: 'expiresAt',
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  });
  table.addGlobalSecondaryIndex({
    indexName: 'byAgency',
    partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
  });
  const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'fixture-events' });

  const echo = new lambda.Function(stack, 'EchoFunction', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(codeDir),
    memorySize: 256,
    timeout: Duration.seconds(2),
    environment: { TABLE_NAME: table.tableName, EVENT_BUS_NAME: bus.eventBusName, TABLE_ARN: table.tableArn },
  });

  const machine = new sfn.StateMachine(stack, 'Workflow', {
    definitionBody: sfn.DefinitionBody.fromString(
      JSON.stringify({
        StartAt: 'Call',
        States: { Call: { Type: 'Task', Resource: echo.functionArn, End: true } },
      }),
    ),
  });
  new lambda.Function(stack, 'StarterFunction', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(codeDir),
    environment: { STATE_MACHINE_ARN: machine.stateMachineArn },
  });

  const pool = new cognito.UserPool(stack, 'Pool');
  const read = new cognito.ResourceServerScope({ scopeName: 'read', scopeDescription: 'read' });
  const write = new cognito.ResourceServerScope({ scopeName: 'write', scopeDescription: 'write' });
  const server = pool.addResourceServer('Server', { identifier: 'takedown', scopes: [read, write] });
  // Scopes that Ref the resource server, as CDK writes them.
  const readScope = cognito.OAuthScope.resourceServer(server, read);
  const writeScope = cognito.OAuthScope.resourceServer(server, write);
  const client = pool.addClient('AgencyClient', {
    generateSecret: true,
    oAuth: { flows: { clientCredentials: true }, scopes: [readScope, writeScope] },
  });
  client.node.addDependency(server);
  echo.addEnvironment('AGENCY_CLIENTS', stack.toJsonString({ [client.userPoolClientId]: 'agency-a' }));

  const api = new apigateway.RestApi(stack, 'Api', { deployOptions: { stageName: 'prod' } });
  const authorizer = new apigateway.CognitoUserPoolsAuthorizer(stack, 'Authorizer', {
    cognitoUserPools: [pool],
  });
  const integration = new apigateway.LambdaIntegration(echo);
  const items = api.root.addResource('v1').addResource('items');
  items.addMethod('GET', integration, {
    authorizer,
    authorizationType: apigateway.AuthorizationType.COGNITO,
    authorizationScopes: ['takedown/read'],
  });
  items.addMethod('POST', integration, {
    authorizer,
    authorizationType: apigateway.AuthorizationType.COGNITO,
    authorizationScopes: ['takedown/write'],
  });
  items.addResource('{id}').addMethod('GET', integration, {
    authorizer,
    authorizationType: apigateway.AuthorizationType.COGNITO,
    authorizationScopes: ['takedown/read'],
  });
  api.root.addResource('public').addResource('{proxy+}').addMethod('ANY', integration);
  api.addGatewayResponse('Unauthorized', {
    type: apigateway.ResponseType.UNAUTHORIZED,
    statusCode: '401',
    responseHeaders: { 'Content-Type': "'application/problem+json'" },
    templates: {
      'application/json':
        '{"title":"Unauthorized","detail":$context.error.messageString,"requestId":"$context.requestId"}',
    },
  });
  api.addGatewayResponse('Default4xx', {
    type: apigateway.ResponseType.DEFAULT_4XX,
    responseHeaders: { 'X-Problem': "'yes'" },
    templates: { 'application/json': '{"problem":$context.error.messageString}' },
  });

  const recordFile = join(root, 'recorded.jsonl');
  addNoticeServices(stack, bus, codeDir, recordFile, echo);
  app.synth();
  return { cdkOutDir, stackName: stack.stackName, recordFile };
}

/** SES identities and configuration set, an SNS topic, rules, a schedule and a bucket, as plain L1/L2 constructs. */
function addNoticeServices(
  stack: Stack,
  bus: events.EventBus,
  codeDir: string,
  recordFile: string,
  echo: lambda.Function,
): void {
  const recorder = new lambda.Function(stack, 'RecorderFunction', {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(codeDir),
    environment: { RECORD_FILE: recordFile },
  });
  recorder.configureAsyncInvoke({ retryAttempts: 1 });
  new ses.EmailIdentity(stack, 'SenderDomain', { identity: ses.Identity.domain('tenggat.example') });
  new ses.EmailIdentity(stack, 'SenderAddress', { identity: ses.Identity.email('ops@other.example') });
  const notices = new ses.ConfigurationSet(stack, 'Notices', { configurationSetName: 'fixture-notices' });
  notices.addEventDestination('ToDefaultBus', {
    destination: ses.EventDestination.eventBus(
      events.EventBus.fromEventBusName(stack, 'DefaultBus', 'default'),
    ),
    events: [ses.EmailSendingEvent.SEND, ses.EmailSendingEvent.DELIVERY, ses.EmailSendingEvent.BOUNCE],
  });

  const topic = new sns.Topic(stack, 'Alerts', { topicName: 'fixture-alerts' });
  topic.addSubscription(new subscriptions.EmailSubscription('ops@example.org'));
  topic.addSubscription(new subscriptions.EmailSubscription('json@example.org', { json: true }));
  topic.addSubscription(
    new subscriptions.LambdaSubscription(recorder, {
      filterPolicy: { severity: sns.SubscriptionFilter.stringFilter({ allowlist: ['high'] }) },
    }),
  );

  new events.Rule(stack, 'RecoveredRule', {
    eventBus: bus,
    eventPattern: { source: ['tenggat'], detailType: ['order.execution_recovered'] },
    targets: [
      new eventTargets.SnsTopic(topic, {
        message: events.RuleTargetInput.fromText(
          `Order ${events.EventField.fromPath('$.detail.orderId')} recovered`,
        ),
      }),
      new eventTargets.LambdaFunction(recorder),
    ],
  });
  new events.Rule(stack, 'SesDeliveredRule', {
    eventPattern: { source: ['aws.ses'], detailType: ['Email Delivered'] },
    targets: [
      new eventTargets.LambdaFunction(recorder, {
        event: events.RuleTargetInput.fromObject({
          kind: 'delivered',
          messageId: events.EventField.fromPath('$.detail.mail.messageId'),
        }),
      }),
    ],
  });
  // A rule whose function has no AWS::Lambda::Permission for EventBridge: AWS drops these invocations.
  new events.CfnRule(stack, 'UnpermittedRule', {
    eventBusName: bus.eventBusName,
    eventPattern: { source: ['tenggat'], 'detail-type': ['order.execution_recovered'] },
    targets: [{ id: 'echo', arn: echo.functionArn }],
  });

  const schedulerRole = new iam.Role(stack, 'SchedulerRole', {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
  });
  recorder.grantInvoke(schedulerRole);
  new scheduler.CfnSchedule(stack, 'ReconcileSchedule', {
    name: 'fixture-reconcile',
    scheduleExpression: 'rate(1 minute)',
    flexibleTimeWindow: { mode: 'OFF' },
    target: {
      arn: recorder.functionArn,
      roleArn: schedulerRole.roleArn,
      input: JSON.stringify({ kind: 'scheduled', at: '<aws.scheduler.scheduled-time>' }),
    },
  });
  new s3.Bucket(stack, 'Letters');
}
