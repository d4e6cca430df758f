import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  InvalidArn,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../local/sfn/engine';
import { type SfnServer, startSfnServer } from '../../../local/sfn/http-server';
import type { StepFunctionsEngine } from '../../../local/sfn/service-api';
import { temporaryDatabasePath, waitUntil } from '../engine/engine-test-kit';
import { FakeLambdaServer } from '../engine/fake-lambda-server';

const ROLE = 'arn:aws:iam::123456789012:role/test';

async function waitForStatus(client: SFNClient, executionArn: string | undefined, wanted: string[]) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status && wanted.includes(described.status)) return described;
    if (Date.now() > deadline) throw new Error(`execution still ${described.status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('RedriveExecution through the HTTP front, with the AWS SDK as the client', () => {
  const lambda = new FakeLambdaServer();
  const tokens: string[] = [];
  let engine: StepFunctionsEngine;
  let server: SfnServer;
  let client: SFNClient;

  beforeAll(async () => {
    await lambda.start();
    engine = await createEngine({
      dataPath: temporaryDatabasePath(),
      lambdaEndpoint: lambda.endpointFor({
        worker: (event) => {
          tokens.push((event as { token: string }).token);
          return { body: '{}' };
        },
      }),
    });
    server = await startSfnServer({ engine, port: 0 });
    client = new SFNClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterAll(async () => {
    client.destroy();
    await server.close();
    await engine.close();
    await lambda.stop();
  });

  it('redrives a failed callback task: same ARN, redriveCount, redriveDate and redriveStatus as Dates and enums', async () => {
    const created = await client.send(
      new CreateStateMachineCommand({
        name: 'Callback',
        roleArn: ROLE,
        definition: JSON.stringify({
          StartAt: 'Ask',
          States: {
            Ask: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
              Parameters: { FunctionName: 'worker', Payload: { 'token.$': '$$.Task.Token' } },
              End: true,
            },
          },
        }),
      }),
    );
    const started = await client.send(
      new StartExecutionCommand({ stateMachineArn: created.stateMachineArn, name: 'order-9', input: '{}' }),
    );
    await waitUntil(() => tokens.length === 1);
    await client.send(
      new SendTaskFailureCommand({ taskToken: tokens[0], error: 'Platform.Down', cause: '503' }),
    );
    const failed = await waitForStatus(client, started.executionArn, ['FAILED']);
    expect(failed).toMatchObject({ redriveCount: 0, redriveStatus: 'REDRIVABLE', error: 'Platform.Down' });
    expect(failed.redriveDate).toBeUndefined();

    const redriven = await client.send(
      new RedriveExecutionCommand({ executionArn: started.executionArn, clientToken: 'recover-order-9' }),
    );
    expect(redriven.redriveDate).toBeInstanceOf(Date);
    const running = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(running).toMatchObject({
      executionArn: started.executionArn,
      status: 'RUNNING',
      redriveCount: 1,
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution is RUNNING and cannot be redriven',
    });
    expect(running.redriveDate?.getTime()).toBe(redriven.redriveDate?.getTime());
    expect(running.stopDate).toBeUndefined();

    await waitUntil(() => tokens.length === 2);
    expect(tokens[1]).not.toBe(tokens[0]);
    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: tokens[0], output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
    await client.send(new SendTaskSuccessCommand({ taskToken: tokens[1], output: '{"served":true}' }));
    const done = await waitForStatus(client, started.executionArn, ['SUCCEEDED']);
    expect(done).toMatchObject({ output: '{"served":true}', redriveCount: 1 });
    const history = await client.send(
      new GetExecutionHistoryCommand({ executionArn: started.executionArn, maxResults: 100 }),
    );
    const redrivenEvent = history.events?.find((event) => event.type === 'ExecutionRedriven');
    expect(redrivenEvent?.executionRedrivenEventDetails).toEqual({ redriveCount: 1 });
    const listed = await client.send(
      new ListExecutionsCommand({ stateMachineArn: created.stateMachineArn, redriveFilter: 'REDRIVEN' }),
    );
    expect(listed.executions?.map((item) => [item.executionArn, item.redriveCount])).toEqual([
      [started.executionArn, 1],
    ]);
    expect(listed.executions?.[0]?.redriveDate).toBeInstanceOf(Date);
  });

  it("raises the SDK's modelled errors", async () => {
    const created = await client.send(
      new CreateStateMachineCommand({
        name: 'Done',
        roleArn: ROLE,
        definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }),
      }),
    );
    const started = await client.send(
      new StartExecutionCommand({ stateMachineArn: created.stateMachineArn }),
    );
    await waitForStatus(client, started.executionArn, ['SUCCEEDED']);
    await expect(
      client.send(new RedriveExecutionCommand({ executionArn: started.executionArn })),
    ).rejects.toBeInstanceOf(ExecutionNotRedrivable);
    await expect(
      client.send(new RedriveExecutionCommand({ executionArn: `${started.executionArn}-missing` })),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(client.send(new RedriveExecutionCommand({ executionArn: 'nope' }))).rejects.toBeInstanceOf(
      InvalidArn,
    );
  });
});
