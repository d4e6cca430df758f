import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { durationToSeconds, loadConfig } from '../../lib/config';
import { FUNCTION_IDS, type FunctionId } from '../../lib/functions';
import { functionPolicies, SUBSCRIPTION_SECRET_USERS } from './function-policies';
import { synthTenggat } from './synth-tenggat';
import { resolveToString, resourceProperties } from './template-values';

type Json = Record<string, unknown>;

// One synth for the file (no bundling: these tests read the template, not the bundles). The functions' grants are
// in grants.test.ts.
const { template } = synthTenggat({ allowLoopbackWebhooks: true, blockedWebhookPorts: '4566,4567' });
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
const kmsKeys = Object.entries(template.findResources('AWS::KMS::Key'));
// The data key: table, logs, execution history and platform secrets all use it.
const dataKeyLogicalId = kmsKeys.find(([logicalId]) => logicalId.startsWith('DataKey'))?.[0] ?? 'missing';
// The asymmetric key that signs audit chain heads.
const auditKeyLogicalId =
  kmsKeys.find(([, key]) => key.Properties?.KeySpec === 'ECC_NIST_P256')?.[0] ?? 'missing';
const { statementsOf, resourcesFor, environmentOf } = functionPolicies(template);

describe('the DynamoDB table', () => {
  it('has the contract keys, the byAgency index, TTL, PITR, KMS, deletion protection and is retained', () => {
    expect(resources.TenggatTable?.Type).toBe('AWS::DynamoDB::Table');
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byAgency',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: 'byOpenOrder',
            KeySchema: [
              { AttributeName: 'gsi2pk', KeyType: 'HASH' },
              { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: Match.arrayWith(['executionArn']) },
          },
          {
            IndexName: 'byOpenLocator',
            KeySchema: [
              { AttributeName: 'gsi3pk', KeyType: 'HASH' },
              { AttributeName: 'gsi3sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
          {
            IndexName: 'byPlatform',
            KeySchema: [
              { AttributeName: 'gsi4pk', KeyType: 'HASH' },
              { AttributeName: 'gsi4sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
        DeletionProtectionEnabled: true,
      },
    });
  });

  it('is encrypted with a customer-managed key that rotates', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect((resourceProperties(template, 'TenggatTable').SSESpecification as Json).KMSMasterKeyId).toEqual({
      'Fn::GetAtt': [dataKeyLogicalId, 'Arn'],
    });
  });
});

describe('the Lambda functions', () => {
  it('are the contract functions on nodejs22.x, arm64, traced, with source maps', () => {
    for (const functionId of FUNCTION_IDS) {
      const properties = resourceProperties(template, functionId);
      expect(properties.Runtime, functionId).toBe('nodejs22.x');
      expect(properties.Architectures, functionId).toEqual(['arm64']);
      expect(properties.Handler, functionId).toBe('index.handler');
      expect(properties.TracingConfig, functionId).toEqual({ Mode: 'Active' });
      expect(environmentOf(functionId).NODE_OPTIONS, functionId).toBe('--enable-source-maps');
    }
  });

  it('all get the table, the whole policy document and Powertools settings', () => {
    const policy = loadConfig().policy;
    for (const functionId of FUNCTION_IDS) {
      const environment = environmentOf(functionId);
      expect(environment.TABLE_NAME, functionId).toEqual({ Ref: 'TenggatTable' });
      expect(JSON.parse(String(environment.POLICY)), functionId).toEqual(policy);
      expect(environment.POWERTOOLS_SERVICE_NAME, functionId).toBe('tenggat');
      expect(environment.POWERTOOLS_METRICS_NAMESPACE, functionId).toBe('Tenggat');
      expect(environment.POWERTOOLS_LOG_LEVEL, functionId).toBe('INFO');
    }
    expect(durationToSeconds(policy.deadlines.urgent.order)).toBe(4 * 3600);
  });

  it('get the other contract variables only where the contract says', () => {
    const holders = (name: string) =>
      FUNCTION_IDS.filter((functionId) => name in environmentOf(functionId)).sort();
    expect(holders('STATE_MACHINE_ARN')).toEqual(
      [
        'SubmitOrderFunction',
        'WithdrawOrderFunction',
        'ReviewItemsFunction',
        'PlatformResponsesFunction',
        'OperatorFunction',
        'ReconcilerFunction',
        'ClarificationsFunction',
        'IntakeFunction',
        'PlatformApiFunction',
      ].sort(),
    );
    expect(holders('EVENT_BUS_NAME')).toEqual(
      [
        'WorkflowStepFunction',
        'DeliverWebhookFunction',
        'EmailNoticeFunction',
        'PlatformResponsesFunction',
        'WithdrawOrderFunction',
        'ReviewItemsFunction',
        'ReconcilerFunction',
        'ClarificationsFunction',
        'PlatformApiFunction',
      ].sort(),
    );
    expect(holders('AGENCY_CLIENTS')).toEqual(
      [
        'SubmitOrderFunction',
        'ReadOrdersFunction',
        'WithdrawOrderFunction',
        'ReviewItemsFunction',
        'OperatorFunction',
        'ClarificationsFunction',
        'ReportsFunction',
        'SubscriptionsFunction',
      ].sort(),
    );
    expect(holders('REPORTS_BUCKET')).toEqual(['ReportsFunction']);
    expect(holders('PUBLIC_API_URL')).toEqual(['EmailNoticeFunction', 'ReportsFunction']);
    expect(holders('MAIL_FROM')).toEqual(['EmailNoticeFunction']);
    expect(holders('MACHINE_USER_POOL_ID')).toEqual(['OperatorFunction']);
    expect(holders('MACHINE_TOKEN_URL')).toEqual(['OperatorFunction']);
    expect(resolveToString(environmentOf('EmailNoticeFunction').SES_CONFIGURATION_SET)).toMatch(
      /^ref-MailConfigurationSet/,
    );
    expect(JSON.stringify(environmentOf('EmailNoticeFunction').PUBLIC_API_URL)).toContain('execute-api');
    expect(holders('PLATFORM_SECRET_PREFIX')).toEqual(
      ['OperatorFunction', 'DeliverWebhookFunction', 'PlatformResponsesFunction'].sort(),
    );
    expect(holders('ALLOW_LOOPBACK_WEBHOOKS')).toEqual(
      ['OperatorFunction', 'DeliverWebhookFunction', ...SUBSCRIPTION_SECRET_USERS].sort(),
    );
    expect(environmentOf('OperatorFunction').PLATFORM_SECRET_PREFIX).toBe('tenggat/platforms/');
    expect(holders('SUBSCRIPTION_SECRET_PREFIX')).toEqual([...SUBSCRIPTION_SECRET_USERS].sort());
    expect(environmentOf('SubscriptionsFunction').SUBSCRIPTION_SECRET_PREFIX).toBe('tenggat/subscriptions/');
  });

  it('pass the context switches for webhook URLs through', () => {
    expect(environmentOf('DeliverWebhookFunction').ALLOW_LOOPBACK_WEBHOOKS).toBe('true');
    expect(environmentOf('DeliverWebhookFunction').BLOCKED_WEBHOOK_PORTS).toBe('4566,4567');
  });

  it('map each agency app client id to its agency', () => {
    const agencyClients = resolveToString(environmentOf('SubmitOrderFunction').AGENCY_CLIENTS);
    const map = JSON.parse(agencyClients) as Record<string, string>;
    expect(Object.values(map).sort()).toEqual(['bpom', 'komdigi-ais', 'polri-siber']);
    for (const clientRef of Object.keys(map)) expect(clientRef).toMatch(/^ref-IdentityUserPoolAgencyClient/);
  });

  it('build the state machine ARN from its fixed name, so functions and state machine do not depend in a cycle', () => {
    const arn = resolveToString(environmentOf('SubmitOrderFunction').STATE_MACHINE_ARN);
    expect(arn).toBe(
      `arn:aws:states:ap-southeast-3:123456789012:stateMachine:${resourceProperties(template, 'OrderWorkflow').StateMachineName}`,
    );
  });
});

describe('identity', () => {
  it('has a takedown resource server with read, write and admin scopes and a hosted token domain', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      UserPoolId: { Ref: 'TenggatUserPool' },
      Identifier: 'takedown',
      Scopes: Match.arrayWith([
        Match.objectLike({ ScopeName: 'read' }),
        Match.objectLike({ ScopeName: 'write' }),
        Match.objectLike({ ScopeName: 'admin' }),
      ]),
    });
    // One domain per pool: the machines' token endpoint and the people's sign-in (staff-identity.test.ts).
    const domains = Object.values(template.findResources('AWS::Cognito::UserPoolDomain'));
    expect(domains.map((domain) => domain.Properties.UserPoolId)).toContainEqual({ Ref: 'TenggatUserPool' });
  });

  it('gives each agency a client-credentials client with read and write, and the operator admin and read', () => {
    const clients = template.findResources('AWS::Cognito::UserPoolClient');
    const byName = new Map(
      Object.values(clients).map((client) => [
        String(client.Properties.ClientName),
        client.Properties as Json,
      ]),
    );
    for (const agency of ['komdigi-ais', 'polri-siber', 'bpom']) {
      const client = byName.get(agency);
      expect(client?.AllowedOAuthFlows).toEqual(['client_credentials']);
      expect(client?.GenerateSecret).toBe(true);
      expect(client?.AllowedOAuthScopes).toEqual(['takedown/read', 'takedown/write']);
    }
    expect(byName.get('tenggat-operator')?.AllowedOAuthScopes).toEqual(['takedown/admin', 'takedown/read']);
  });
});

describe('the REST API', () => {
  const methods = template.findResources('AWS::ApiGateway::Method');
  const pathOf = (resourceRef: unknown): string => {
    const logicalId = (resourceRef as { Ref?: string }).Ref;
    if (!logicalId) return '';
    const resource = resources[logicalId];
    if (!resource) return '';
    return `${pathOf(resource.Properties.ParentId)}/${String(resource.Properties.PathPart)}`;
  };
  const routes = new Map(
    Object.values(methods).map((method) => [
      `${String(method.Properties.HttpMethod)} ${pathOf(method.Properties.ResourceId)}`,
      method.Properties as Json,
    ]),
  );
  const integrationTarget = (route: string): string => {
    const uri = JSON.stringify((routes.get(route)?.Integration as Json | undefined)?.Uri);
    return FUNCTION_IDS.find((functionId) => uri.includes(`"${functionId}"`)) ?? 'none';
  };

  it('is named TenggatApi', () => {
    expect(resourceProperties(template, 'TenggatApi').Name).toBe('TenggatApi');
  });

  it('serves every contract route with its handler and the right scope', () => {
    const expected: [string, FunctionId, string | null][] = [
      ['POST /v1/takedown-requests', 'SubmitOrderFunction', 'takedown/write'],
      ['GET /v1/takedown-requests', 'ReadOrdersFunction', 'takedown/read'],
      ['GET /v1/takedown-requests/{id}', 'ReadOrdersFunction', 'takedown/read'],
      ['GET /v1/takedown-requests/{id}/items', 'ReadOrdersFunction', 'takedown/read'],
      ['GET /v1/takedown-requests/{id}/audit', 'ReadOrdersFunction', 'takedown/read'],
      ['POST /v1/takedown-requests/{id}/withdrawal', 'WithdrawOrderFunction', 'takedown/write'],
      ['POST /v1/takedown-requests/{id}/review', 'ReviewItemsFunction', 'takedown/write'],
      ['POST /v1/takedown-requests/{id}/clarifications', 'ClarificationsFunction', 'takedown/write'],
      ['POST /v1/takedown-requests/{id}/redelivery', 'OperatorFunction', 'takedown/admin'],
      ['POST /v1/takedown-requests/{id}/personal-data-erasure', 'OperatorFunction', 'takedown/admin'],
      ['GET /v1/takedown-requests/{id}/execution', 'OperatorFunction', 'takedown/admin'],
      ['POST /v1/platforms', 'OperatorFunction', 'takedown/admin'],
      ['GET /v1/platforms', 'OperatorFunction', 'takedown/admin'],
      ['GET /v1/platforms/{platformId}', 'OperatorFunction', 'takedown/admin'],
      ['POST /v1/platforms/{platformId}/secret-rotation', 'OperatorFunction', 'takedown/admin'],
      ['POST /v1/platforms/{platformId}/users', 'OperatorFunction', 'takedown/admin'],
      ['POST /v1/platforms/{platformId}/responses', 'PlatformResponsesFunction', null],
      ['GET /v1/statistics', 'ReportsFunction', 'takedown/read'],
      ['GET /v1/exports/orders.csv', 'ReportsFunction', 'takedown/read'],
      ['GET /v1/exports/dsa-statements', 'ReportsFunction', 'takedown/read'],
      ['GET /v1/exports/authority-report', 'ReportsFunction', 'takedown/read'],
      ['GET /v1/takedown-requests/{id}/letters/{stage}', 'ReportsFunction', 'takedown/read'],
      ['GET /v1/verify/{sha256}', 'ReportsFunction', null],
      ['POST /v1/subscriptions', 'SubscriptionsFunction', 'takedown/write'],
      ['GET /v1/subscriptions', 'SubscriptionsFunction', 'takedown/read'],
      ['GET /v1/subscriptions/{id}', 'SubscriptionsFunction', 'takedown/read'],
      ['DELETE /v1/subscriptions/{id}', 'SubscriptionsFunction', 'takedown/write'],
      ['GET /v1/platforms/{platformId}/orders', 'PlatformApiFunction', 'takedown/platform'],
      ['GET /v1/platforms/{platformId}/orders/{id}', 'PlatformApiFunction', 'takedown/platform'],
      ['GET /v1/platforms/{platformId}/orders/{id}/items', 'PlatformApiFunction', 'takedown/platform'],
      ['POST /v1/platforms/{platformId}/orders/{id}/answers', 'PlatformApiFunction', 'takedown/platform'],
      [
        'POST /v1/platforms/{platformId}/orders/{id}/clarification-requests',
        'PlatformApiFunction',
        'takedown/platform',
      ],
    ];
    expect([...routes.keys()].sort()).toEqual(expected.map(([route]) => route).sort());
    for (const [route, functionId, scope] of expected) {
      const method = routes.get(route);
      expect(integrationTarget(route), route).toBe(functionId);
      expect((method?.Integration as Json | undefined)?.Type, route).toBe('AWS_PROXY');
      if (scope) {
        expect(method?.AuthorizationType, route).toBe('COGNITO_USER_POOLS');
        expect(method?.AuthorizationScopes, route).toEqual([scope]);
      } else {
        expect(method?.AuthorizationType, route).toBe('NONE');
        expect(method?.AuthorizerId, route).toBeUndefined();
      }
    }
  });

  it('answers gateway errors as problem documents, with Retry-After on 429', () => {
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')).map(
      (response) => response.Properties as Json,
    );
    const byType = new Map(responses.map((response) => [String(response.ResponseType), response]));
    for (const type of [
      'UNAUTHORIZED',
      'ACCESS_DENIED',
      'REQUEST_TOO_LARGE',
      'THROTTLED',
      'DEFAULT_4XX',
      'DEFAULT_5XX',
    ]) {
      const response = byType.get(type);
      expect(response, type).toBeDefined();
      expect(
        (response?.ResponseParameters as Json | undefined)?.['gatewayresponse.header.Content-Type'],
        type,
      ).toBe("'application/problem+json'");
      const body = String((response?.ResponseTemplates as Json | undefined)?.['application/json']);
      // The template becomes JSON once API Gateway substitutes the quoted message string.
      const sample = JSON.parse(
        body.replace('$context.error.messageString', '"message"').replace('$context.requestId', 'r1'),
      );
      expect(sample.type, type).toMatch(/^https:\/\/tenggat\.dev\/problems\//);
      expect(typeof sample.title, type).toBe('string');
    }
    expect(byType.get('UNAUTHORIZED')?.StatusCode).toBe('401');
    expect(byType.get('ACCESS_DENIED')?.StatusCode).toBe('403');
    expect(byType.get('REQUEST_TOO_LARGE')?.StatusCode).toBe('413');
    expect(byType.get('THROTTLED')?.StatusCode).toBe('429');
    expect(
      (byType.get('THROTTLED')?.ResponseParameters as Json | undefined)?.[
        'gatewayresponse.header.Retry-After'
      ],
    ).toBe("'1'");
  });

  it('logs access, traces with X-Ray, throttles, and never logs bodies', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      MethodSettings: [
        Match.objectLike({
          DataTraceEnabled: false,
          LoggingLevel: 'ERROR',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        }),
      ],
    });
  });
});

describe('the customer-managed key', () => {
  const dataKeyArn = { 'Fn::GetAtt': [dataKeyLogicalId, 'Arn'] };

  it('rotates, as the alerts topic key does; the third key is the audit signing key', () => {
    template.resourceCountIs('AWS::KMS::Key', 3);
    const symmetric = kmsKeys.filter(([, key]) => key.Properties?.KeySpec === undefined);
    expect(symmetric.map(([logicalId]) => logicalId)).toEqual(
      expect.arrayContaining([dataKeyLogicalId, expect.stringMatching(/^AlertsKey/)]),
    );
    expect(symmetric).toHaveLength(2);
    for (const [logicalId] of symmetric)
      expect(resourceProperties(template, logicalId).EnableKeyRotation).toBe(true);
    expect(auditKeyLogicalId).not.toBe('missing');
  });

  it('encrypts the execution history of the state machine', () => {
    expect(resourceProperties(template, 'OrderWorkflow').EncryptionConfiguration).toEqual({
      Type: 'CUSTOMER_MANAGED_KMS_KEY',
      KmsKeyId: dataKeyArn,
      KmsDataKeyReusePeriodSeconds: 300,
    });
  });

  it('encrypts the platform secrets the operator function creates at run time', () => {
    expect(environmentOf('OperatorFunction').PLATFORM_SECRET_KMS_KEY_ID).toEqual(dataKeyArn);
    expect(new Set(resourcesFor('OperatorFunction', 'kms:GenerateDataKey'))).toEqual(
      new Set([`arn:aws:lambda:ap-southeast-3:123456789012:function:${dataKeyLogicalId}`]),
    );
    for (const reader of ['DeliverWebhookFunction', 'PlatformResponsesFunction'] as const) {
      expect(resourcesFor(reader, 'kms:Decrypt'), reader).toContain(
        `arn:aws:lambda:ap-southeast-3:123456789012:function:${dataKeyLogicalId}`,
      );
    }
  });
});

describe('the audit signing key', () => {
  const auditKeyArn = { 'Fn::GetAtt': [auditKeyLogicalId, 'Arn'] };
  const kmsStatements = (functionId: FunctionId) =>
    statementsOf(functionId).filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith('kms:')),
    );
  // Readers never sign: the read function verifies heads, the reports function prints them as stored; the intake
  // function appends no audit event.
  const appenders: FunctionId[] = FUNCTION_IDS.filter(
    (functionId) =>
      functionId !== 'ReadOrdersFunction' &&
      functionId !== 'ReportsFunction' &&
      functionId !== 'IntakeFunction' &&
      !SUBSCRIPTION_SECRET_USERS.includes(functionId),
  );

  it('is an asymmetric ECC_NIST_P256 signing key with an alias, kept when the stack goes', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/tenggat-audit',
      TargetKeyId: auditKeyArn,
    });
  });

  it('lets exactly the functions that append audit events sign with it, and nothing else', () => {
    for (const functionId of FUNCTION_IDS) {
      const signing = kmsStatements(functionId).filter((statement) =>
        [statement.Action].flat().includes('kms:Sign'),
      );
      if (appenders.includes(functionId)) {
        expect(signing, functionId).toEqual([
          expect.objectContaining({ Action: 'kms:Sign', Resource: auditKeyArn }),
        ]);
      } else expect(signing, functionId).toEqual([]);
      // The reports function prints heads as stored and neither signs nor verifies, and the intake function writes
      // no audit event (only items and its progress): they get no key at all.
      if (
        functionId === 'ReportsFunction' ||
        functionId === 'IntakeFunction' ||
        SUBSCRIPTION_SECRET_USERS.includes(functionId)
      )
        expect(environmentOf(functionId).AUDIT_SIGNING_KEY_ID, functionId).toBeUndefined();
      else expect(environmentOf(functionId).AUDIT_SIGNING_KEY_ID, functionId).toEqual(auditKeyArn);
    }
  });

  it('lets the reader only verify and read the public key, never sign', () => {
    const onAuditKey = kmsStatements('ReadOrdersFunction').filter(
      (statement) => JSON.stringify(statement.Resource) === JSON.stringify(auditKeyArn),
    );
    expect(onAuditKey.flatMap((statement) => [statement.Action].flat()).sort()).toEqual([
      'kms:GetPublicKey',
      'kms:Verify',
    ]);
  });

  it('is used by no function for encryption, and the data key signs nothing', () => {
    for (const functionId of FUNCTION_IDS) {
      for (const statement of kmsStatements(functionId)) {
        const actions = [statement.Action].flat();
        const onAuditKey = JSON.stringify(statement.Resource) === JSON.stringify(auditKeyArn);
        if (onAuditKey)
          expect(
            actions.every((action) => ['kms:Sign', 'kms:Verify', 'kms:GetPublicKey'].includes(action)),
          ).toBe(true);
        else expect(actions).not.toContain('kms:Sign');
      }
    }
  });
});

describe('logs and alarms', () => {
  it('encrypt every log group with the customer-managed key and keep it for a bounded time', () => {
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    // One per function, the API access logs, the two state machines' execution logs, the WAF logs and the
    // console deployment's.
    expect(logGroups.length).toBe(FUNCTION_IDS.length + 5);
    for (const logGroup of logGroups) {
      expect(logGroup.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [dataKeyLogicalId, 'Arn'] });
      expect(logGroup.Properties.RetentionInDays).toBeGreaterThan(0);
    }
  });

  it('alarm on function errors and throttles, failed executions and API 5XX', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties as Json,
    );
    const metricNames = alarms.map((alarm) => String(alarm.MetricName));
    expect(metricNames.filter((name) => name === 'Errors')).toHaveLength(FUNCTION_IDS.length);
    expect(metricNames.filter((name) => name === 'Throttles')).toHaveLength(FUNCTION_IDS.length);
    expect(metricNames).toEqual(
      expect.arrayContaining(['ExecutionsFailed', 'ExecutionsTimedOut', '5XXError']),
    );
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});
