/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are CloudFormation Fn::Sub syntax */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalTemplate,
  parseTemplate,
  readLocalTemplate,
  TemplateError,
} from '../../local/cloud/template';
import { synthFixtureStack } from './fixture-stack';

describe('readLocalTemplate on a synthesized CDK stack', () => {
  let template: LocalTemplate;
  beforeAll(() => {
    const { cdkOutDir, stackName } = synthFixtureStack();
    template = readLocalTemplate(cdkOutDir, stackName);
  });

  it('lists the table with keys, GSI and TTL attribute', () => {
    expect(template.tables).toHaveLength(1);
    const table = template.tables[0];
    expect(table?.keySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(table?.globalSecondaryIndexes.map((index) => index.IndexName)).toEqual(['byAgency']);
    expect(table?.ttlAttribute).toBe('expiresAt');
    expect(table?.arn).toBe(`arn:aws:dynamodb:us-east-1:000000000000:table/${table?.tableName}`);
  });

  it('lists the function with its asset dir, env resolved to local names, memory and timeout', () => {
    const fn = template.functions.find((f) => f.logicalId.startsWith('EchoFunction'));
    expect(fn).toBeDefined();
    expect(fn?.assetDir && existsSync(join(fn.assetDir, 'index.js'))).toBe(true);
    expect(fn?.handler).toBe('index.handler');
    expect(fn?.memorySize).toBe(256);
    expect(fn?.timeoutSeconds).toBe(2);
    expect(fn?.environment.TABLE_NAME).toBe(template.tables[0]?.tableName);
    expect(fn?.environment.EVENT_BUS_NAME).toBe('fixture-events');
    const starter = template.functions.find((f) => f.logicalId.startsWith('StarterFunction'));
    expect(starter?.environment.STATE_MACHINE_ARN).toBe(template.stateMachines[0]?.arn);
    expect(starter?.environment.STATE_MACHINE_ARN).toMatch(
      /^arn:aws:states:us-east-1:000000000000:stateMachine:/,
    );
    expect(starter?.timeoutSeconds).toBe(3);
    const clientId = template.userPoolClients[0]?.clientId ?? 'missing';
    expect(JSON.parse(fn?.environment.AGENCY_CLIENTS ?? '{}')).toEqual({ [clientId]: 'agency-a' });
  });

  it('resolves the state machine definition so it calls the local function ARN', () => {
    const machine = template.stateMachines[0];
    const definition = JSON.parse(machine?.definition ?? '{}');
    expect(definition.States.Call.Resource).toBe(
      template.functions.find((f) => f.logicalId.startsWith('Echo'))?.arn,
    );
    expect(machine?.type).toBe('STANDARD');
  });

  it('lists the REST API routes, scopes, integrations, stage and gateway responses', () => {
    const api = template.restApis[0];
    expect(api?.stageNames).toEqual(['prod']);
    const routes = api?.methods.map((m) => `${m.httpMethod} ${m.resourcePath}`).sort();
    expect(routes).toEqual(['ANY /public/{proxy+}', 'GET /v1/items', 'GET /v1/items/{id}', 'POST /v1/items']);
    const post = api?.methods.find((m) => m.httpMethod === 'POST');
    expect(post?.authorizationType).toBe('COGNITO_USER_POOLS');
    expect(post?.authorizationScopes).toEqual(['takedown/write']);
    expect(post?.authorizer?.userPoolLogicalIds).toEqual([template.userPools[0]?.logicalId]);
    expect(post?.integration.type).toBe('AWS_PROXY');
    const unauthorized = api?.gatewayResponses.find((r) => r.responseType === 'UNAUTHORIZED');
    expect(unauthorized?.statusCode).toBe(401);
    expect(unauthorized?.headers['Content-Type']).toBe('application/problem+json');
    expect(unauthorized?.templates['application/json']).toContain('$context.requestId');
  });

  it('lists the user pool client with scopes and a stable client id, and the resource server', () => {
    const client = template.userPoolClients[0];
    expect(client?.clientId).toMatch(/^[a-z0-9]{26}$/);
    expect(client?.allowedOAuthScopes.sort()).toEqual(['takedown/read', 'takedown/write']);
    expect(client?.allowedOAuthFlows).toEqual(['client_credentials']);
    expect(template.userPools[0]?.resourceServers).toEqual([
      { identifier: 'takedown', scopes: ['takedown/read', 'takedown/write'] },
    ]);
    expect(template.eventBuses).toEqual([
      expect.objectContaining({
        name: 'fixture-events',
        arn: 'arn:aws:events:us-east-1:000000000000:event-bus/fixture-events',
      }),
    ]);
  });
});

describe('parseTemplate intrinsics', () => {
  const template = parseTemplate(
    {
      Parameters: { Stage: { Type: 'String', Default: 'beta' } },
      Resources: {
        Machine: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: {
            StateMachineName: { 'Fn::Sub': 'machine-${Stage}' },
            RoleArn: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/x' },
            Definition: { StartAt: 'A', States: { A: { Type: 'Pass', Result: '${greeting}', End: true } } },
            DefinitionSubstitutions: {
              greeting: { 'Fn::Select': [1, { 'Fn::Split': [',', 'a,hello,c'] }] },
            },
          },
        },
        Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'bus' } },
      },
    },
    { stackName: 'S', cdkOutDir: '/tmp' },
  );

  it('applies Fn::Sub with parameters and pseudo parameters, and DefinitionSubstitutions', () => {
    const machine = template.stateMachines[0];
    expect(machine?.name).toBe('machine-beta');
    expect(machine?.roleArn).toBe('arn:aws:iam::000000000000:role/x');
    expect(JSON.parse(machine?.definition ?? '{}').States.A.Result).toBe('hello');
  });

  it('resolves Fn::Join and Fn::GetAtt in both forms, and keeps ${!literal}', () => {
    expect(
      template.resolve({
        'Fn::Join': ['|', [{ 'Fn::GetAtt': ['Bus', 'Name'] }, { 'Fn::GetAtt': 'Machine.Arn' }]],
      }),
    ).toBe('bus|arn:aws:states:us-east-1:000000000000:stateMachine:machine-beta');
    expect(template.resolve({ 'Fn::Sub': '${!Literal}-${AWS::Region}' })).toBe('${Literal}-us-east-1');
  });

  it('refuses a Ref to something that does not exist', () => {
    expect(() => template.resolve({ Ref: 'Nope' })).toThrow(TemplateError);
  });
});

describe('readLocalTemplate: mail, notifications, rules, schedules, buckets', () => {
  let template: LocalTemplate;
  beforeAll(() => {
    const { cdkOutDir, stackName } = synthFixtureStack();
    template = readLocalTemplate(cdkOutDir, stackName);
  });

  it('lists the SES identities and the configuration set with its EventBridge destination', () => {
    expect(template.emailIdentities.map((identity) => [identity.identity, identity.type])).toEqual([
      ['tenggat.example', 'DOMAIN'],
      ['ops@other.example', 'EMAIL_ADDRESS'],
    ]);
    const [notices] = template.configurationSets;
    expect(notices?.name).toBe('fixture-notices');
    expect(notices?.eventDestinations).toEqual([
      expect.objectContaining({
        enabled: true,
        matchingEventTypes: ['send', 'delivery', 'bounce'],
        // The stack's own account and region, as CDK writes them: only the bus name matters locally.
        eventBusArn: expect.stringMatching(/:event-bus\/default$/),
      }),
    ]);
  });

  it('lists the topic and its subscriptions with their filter policy', () => {
    expect(template.topics).toEqual([
      expect.objectContaining({
        name: 'fixture-alerts',
        arn: 'arn:aws:sns:us-east-1:000000000000:fixture-alerts',
      }),
    ]);
    const byProtocol = Object.fromEntries(template.subscriptions.map((s) => [s.protocol, s]));
    expect(Object.keys(byProtocol).sort()).toEqual(['email', 'email-json', 'lambda']);
    expect(byProtocol.lambda?.filterPolicy).toEqual({ severity: ['high'] });
    expect(byProtocol.email?.arn).toMatch(
      /^arn:aws:sns:us-east-1:000000000000:fixture-alerts:[0-9a-f-]{36}$/,
    );
    const recorder = template.functions.find((fn) => fn.logicalId.startsWith('RecorderFunction'));
    expect(byProtocol.lambda?.endpoint).toBe(recorder?.arn);
  });

  it('lists rules with bus, pattern, targets and inputs, and the permissions that let them invoke', () => {
    const recovered = template.eventRules.find((rule) => rule.logicalId.startsWith('RecoveredRule'));
    expect(recovered?.eventBusName).toBe('fixture-events');
    expect(recovered?.arn).toBe(
      `arn:aws:events:us-east-1:000000000000:rule/fixture-events/${recovered?.name}`,
    );
    expect(recovered?.eventPattern).toEqual({
      source: ['tenggat'],
      'detail-type': ['order.execution_recovered'],
    });
    expect(recovered?.targets.map((target) => target.arn.split(':')[2])).toEqual(['sns', 'lambda']);
    expect(recovered?.targets[0]?.inputTransformer?.inputTemplate).toBe('"Order <detail-orderId> recovered"');
    const delivered = template.eventRules.find((rule) => rule.logicalId.startsWith('SesDeliveredRule'));
    expect(delivered?.eventBusName).toBe('default');
    const recorder = template.functions.find((fn) => fn.logicalId.startsWith('RecorderFunction'));
    const principals = template.lambdaPermissions
      .filter((permission) => permission.functionName === recorder?.functionName)
      .map((permission) => permission.principal)
      .sort();
    expect(principals).toEqual(['events.amazonaws.com', 'events.amazonaws.com', 'sns.amazonaws.com']);
    // AWS::Lambda::EventInvokeConfig sets the asynchronous retries; Lambda's default is 2.
    expect(recorder?.maximumRetryAttempts).toBe(1);
    expect(
      template.functions.find((fn) => fn.logicalId.startsWith('EchoFunction'))?.maximumRetryAttempts,
    ).toBe(2);
  });

  it('lists the schedule and the bucket (a lower-case generated name)', () => {
    expect(template.schedules).toEqual([
      expect.objectContaining({
        name: 'fixture-reconcile',
        arn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/fixture-reconcile',
        expression: 'rate(1 minute)',
        enabled: true,
        flexibleWindowMinutes: 0,
        timezone: 'UTC',
      }),
    ]);
    expect(template.schedules[0]?.target.input).toContain('<aws.scheduler.scheduled-time>');
    expect(template.buckets[0]?.name).toMatch(/^fixturestack-letters[a-z0-9-]*$/);
  });
});
