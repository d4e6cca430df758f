import { SFNClient, TestStateCommand, ValidationException } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../local/sfn/engine';
import { type SfnServer, startSfnServer } from '../../../local/sfn/http-server';
import type { StepFunctionsEngine } from '../../../local/sfn/service-api';
import { FakeLambdaServer } from '../engine/fake-lambda-server';

const ROLE = 'arn:aws:iam::123456789012:role/test';
const FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:scorer';

describe('TestState with the AWS SDK', () => {
  const lambda = new FakeLambdaServer();
  let engine: StepFunctionsEngine;
  let server: SfnServer;
  let client: SFNClient;

  beforeAll(async () => {
    await lambda.start();
    engine = await createEngine({
      dataPath: ':memory:',
      lambdaEndpoint: lambda.endpointFor({
        scorer: (event) => {
          const { score } = event as { score: number };
          if (score < 0) {
            return { body: '{"errorType":"Negative","errorMessage":"below zero"}', functionError: true };
          }
          return { body: JSON.stringify({ doubled: score * 2 }) };
        },
      }),
    });
    server = await startSfnServer({ engine, port: 0 });
    client = new SFNClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      // TestState's endpoint carries a `sync-` host prefix on AWS; locally there is one host.
      disableHostPrefix: true,
    });
  });

  afterAll(async () => {
    client.destroy();
    await server.close();
    await engine.close();
    await lambda.stop();
  });

  const task = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      InputPath: '$.order',
      Parameters: { FunctionName: FUNCTION, 'Payload.$': '$' },
      ResultSelector: { 'doubled.$': '$.Payload.doubled' },
      ResultPath: '$.result',
      Next: 'Record',
      ...extra,
    });

  it('runs a Task with DEBUG inspection data for each processing step and names the next state', async () => {
    const tested = await client.send(
      new TestStateCommand({
        definition: task(),
        roleArn: ROLE,
        input: '{"order":{"score":21}}',
        inspectionLevel: 'DEBUG',
      }),
    );
    expect(tested.status).toBe('SUCCEEDED');
    expect(tested.nextState).toBe('Record');
    expect(JSON.parse(tested.output ?? '')).toEqual({ order: { score: 21 }, result: { doubled: 42 } });
    const data = tested.inspectionData ?? {};
    expect(JSON.parse(data.input ?? '')).toEqual({ order: { score: 21 } });
    expect(JSON.parse(data.afterInputPath ?? '')).toEqual({ score: 21 });
    expect(JSON.parse(data.afterParameters ?? '')).toEqual({
      FunctionName: FUNCTION,
      Payload: { score: 21 },
    });
    expect(JSON.parse(data.result ?? '')).toMatchObject({ Payload: { doubled: 42 }, StatusCode: 200 });
    expect(JSON.parse(data.afterResultSelector ?? '')).toEqual({ doubled: 42 });
    expect(JSON.parse(data.afterResultPath ?? '')).toEqual({ order: { score: 21 }, result: { doubled: 42 } });
  });

  it('answers INFO without inspection data, and a Choice with the branch it takes', async () => {
    const choice = JSON.stringify({
      Type: 'Choice',
      Choices: [{ Variable: '$.n', NumericGreaterThan: 10, Next: 'Big' }],
      Default: 'Small',
    });
    const big = await client.send(
      new TestStateCommand({ definition: choice, roleArn: ROLE, input: '{"n":11}' }),
    );
    expect(big).toMatchObject({ status: 'SUCCEEDED', nextState: 'Big', output: '{"n":11}' });
    expect(big.inspectionData).toBeUndefined();
    const small = await client.send(
      new TestStateCommand({ definition: choice, roleArn: ROLE, input: '{"n":1}' }),
    );
    expect(small.nextState).toBe('Small');
  });

  it('reports RETRIABLE for a retried error, CAUGHT_ERROR for a caught one and FAILED otherwise', async () => {
    const input = '{"order":{"score":-1}}';
    const retried = await client.send(
      new TestStateCommand({
        definition: task({ Retry: [{ ErrorEquals: ['Negative'], MaxAttempts: 2 }] }),
        roleArn: ROLE,
        input,
      }),
    );
    expect(retried).toMatchObject({ status: 'RETRIABLE', error: 'Negative' });
    const caught = await client.send(
      new TestStateCommand({
        definition: task({
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Recover' }],
        }),
        roleArn: ROLE,
        input,
      }),
    );
    expect(caught).toMatchObject({ status: 'CAUGHT_ERROR', error: 'Negative', nextState: 'Recover' });
    expect(JSON.parse(caught.output ?? '').error.Error).toBe('Negative');
    const failed = await client.send(
      new TestStateCommand({
        definition: JSON.stringify({ Type: 'Fail', Error: 'Refused', Cause: 'no' }),
        roleArn: ROLE,
        input: '{}',
      }),
    );
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Refused', cause: 'no' });
  });

  it('refuses a Map state, as AWS does without a mock', async () => {
    const map = JSON.stringify({
      Type: 'Map',
      ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
      End: true,
    });
    await expect(
      client.send(new TestStateCommand({ definition: map, roleArn: ROLE })),
    ).rejects.toBeInstanceOf(ValidationException);
  });
});
