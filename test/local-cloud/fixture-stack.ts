/** A small CDK stack with one of each resource kind the local cloud runs, synthesized into a temp dir. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/** Handler source of the fixture function: echoes, fails, sleeps or answers big on request. */
export const FIXTURE_HANDLER = `
exports.handler = async (event, context) => {
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
    endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    pid: process.pid,
  };
};
`;

export interface FixtureStack {
  cdkOutDir: string;
  stackName: string;
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

  app.synth();
  return { cdkOutDir, stackName: stack.stackName };
}
