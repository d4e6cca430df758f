import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsEndpoint } from '../../local/cloud/aws-endpoint';
import { createLocalEventBridge, type LocalEventBridge } from '../../local/cloud/eventbridge';
import type { RunningServer } from '../../local/cloud/http-util';
import { createLambdaService, type LambdaService } from '../../local/cloud/lambda-service';
import { createSecretsManager, type SecretsManager } from '../../local/cloud/secrets-manager';
import { SfnApiError } from '../../local/sfn/errors';
import { FIXTURE_HANDLER } from './fixture-stack';

const clientConfig = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});

describe('the single AWS endpoint, through the real AWS SDK v3 clients', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aws-endpoint-'));
  const assetDir = mkdtempSync(join(tmpdir(), 'aws-endpoint-asset-'));
  writeFileSync(join(assetDir, 'index.js'), FIXTURE_HANDLER);
  const sfnCalls: { action: string; input: Record<string, unknown> }[] = [];
  let endpoint: RunningServer;
  let secrets: SecretsManager;
  let events: LocalEventBridge;
  let lambda: LambdaService;
  const printed: string[] = [];

  beforeAll(async () => {
    secrets = createSecretsManager({ databasePath: join(dataDir, 'secrets.sqlite') });
    events = createLocalEventBridge({
      databasePath: join(dataDir, 'events.sqlite'),
      eventBusNames: ['domain-events'],
      onEvent: (event) => printed.push(event.detailType),
    });
    lambda = createLambdaService({
      dataDir,
      functions: [
        {
          logicalId: 'Echo',
          functionName: 'echo',
          arn: 'arn:aws:lambda:us-east-1:000000000000:function:echo',
          assetDir,
          handler: 'index.handler',
          runtime: 'nodejs22.x',
          environment: {},
          memorySize: 128,
          timeoutSeconds: 3,
        },
      ],
    });
    endpoint = await startAwsEndpoint({
      secretsManager: secrets,
      eventBridge: events,
      lambda,
      // Records what the SDK sent and answers like the engine contract says (wire-form output or SfnApiError).
      stepFunctions: {
        dispatch: async (action, input) => {
          sfnCalls.push({ action, input });
          if (action === 'ListStateMachines') {
            return {
              stateMachines: [
                {
                  stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m',
                  name: 'm',
                  type: 'STANDARD',
                  creationDate: 1_700_000_000,
                },
              ],
            };
          }
          throw new SfnApiError(
            'ExecutionDoesNotExist',
            `Execution Does Not Exist: '${String(input.executionArn)}'`,
          );
        },
      },
    });
  });

  afterAll(async () => {
    await endpoint?.close();
    await lambda?.close();
    secrets?.close();
    events?.close();
  });

  it('routes Step Functions calls to the engine and its errors back as SDK exceptions', async () => {
    const client = new SFNClient(clientConfig(endpoint.url));
    const listed = await client.send(new ListStateMachinesCommand({}));
    expect(listed.stateMachines?.[0]?.name).toBe('m');
    expect(listed.stateMachines?.[0]?.creationDate).toEqual(new Date(1_700_000_000_000));
    await expect(client.send(new DescribeExecutionCommand({ executionArn: 'arn:x' }))).rejects.toMatchObject({
      name: 'ExecutionDoesNotExist',
    });
    expect(sfnCalls.map((call) => call.action)).toEqual(['ListStateMachines', 'DescribeExecution']);
    expect(sfnCalls[1]?.input).toEqual({ executionArn: 'arn:x' });
  });

  it('keeps secrets with versions, stages, tags and AWS error shapes', async () => {
    const client = new SecretsManagerClient(clientConfig(endpoint.url));
    const created = await client.send(
      new CreateSecretCommand({ Name: 'tenggat/platforms/p1', SecretString: 'one' }),
    );
    expect(created.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:000000000000:secret:tenggat\/platforms\/p1-\w{6}$/,
    );
    await expect(
      client.send(new CreateSecretCommand({ Name: 'tenggat/platforms/p1', SecretString: 'x' })),
    ).rejects.toMatchObject({
      name: 'ResourceExistsException',
    });
    await client.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: 'two' }));
    expect(
      (await client.send(new GetSecretValueCommand({ SecretId: 'tenggat/platforms/p1' }))).SecretString,
    ).toBe('two');
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: 'tenggat/platforms/p1', VersionStage: 'AWSPREVIOUS' }),
    );
    expect(previous.SecretString).toBe('one');
    await client.send(
      new UpdateSecretCommand({ SecretId: 'tenggat/platforms/p1', SecretString: 'three', Description: 'd' }),
    );
    await client.send(
      new TagResourceCommand({ SecretId: 'tenggat/platforms/p1', Tags: [{ Key: 'k', Value: 'v' }] }),
    );
    const described = await client.send(new DescribeSecretCommand({ SecretId: 'tenggat/platforms/p1' }));
    expect(described.Description).toBe('d');
    expect(described.Tags).toEqual([{ Key: 'k', Value: 'v' }]);
    expect(
      Object.values(described.VersionIdsToStages ?? {})
        .flat()
        .sort(),
    ).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
    const listed = await client.send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['tenggat/'] }] }),
    );
    expect(listed.SecretList?.map((secret) => secret.Name)).toEqual(['tenggat/platforms/p1']);
    await client.send(
      new DeleteSecretCommand({ SecretId: 'tenggat/platforms/p1', ForceDeleteWithoutRecovery: true }),
    );
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: 'tenggat/platforms/p1' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('keeps secrets across a restart of the service', async () => {
    const client = new SecretsManagerClient(clientConfig(endpoint.url));
    await client.send(new CreateSecretCommand({ Name: 'persisted', SecretString: 'kept' }));
    const reopened = createSecretsManager({ databasePath: join(dataDir, 'secrets.sqlite') });
    const value = await reopened.dispatch('GetSecretValue', { SecretId: 'persisted' });
    reopened.close();
    expect(value.SecretString).toBe('kept');
  });

  it('records PutEvents, reports failed entries, and lists events on /_local/events', async () => {
    const client = new EventBridgeClient(clientConfig(endpoint.url));
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'domain-events',
            Source: 'tenggat',
            DetailType: 'order.created',
            Detail: '{"orderId":"o1"}',
          },
          { EventBusName: 'missing-bus', Source: 'tenggat', DetailType: 'x', Detail: '{}' },
          { EventBusName: 'domain-events', Source: 'tenggat', DetailType: 'bad', Detail: 'not json' },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(2);
    expect(result.Entries?.[0]?.EventId).toBeTruthy();
    expect(result.Entries?.[2]?.ErrorCode).toBe('MalformedDetail');
    expect(printed).toEqual(['order.created']);
    const listed = (await (await fetch(`${endpoint.url}/_local/events?detailType=order.created`)).json()) as {
      events: { detail: unknown; eventBusName: string }[];
    };
    expect(listed.events).toEqual([
      expect.objectContaining({ detail: { orderId: 'o1' }, eventBusName: 'domain-events' }),
    ]);
  });

  it('routes Lambda Invoke by path', async () => {
    const client = new LambdaClient(clientConfig(endpoint.url));
    const response = await client.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: '{"via":"endpoint"}' }),
    );
    expect(JSON.parse(Buffer.from(response.Payload ?? []).toString()).echo).toEqual({ via: 'endpoint' });
  });
});
