import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidDefinition,
  ListExecutionsCommand,
  paginateGetExecutionHistory,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../local/sfn/engine';
import { type SfnServer, startSfnServer } from '../../../local/sfn/http-server';
import type { StepFunctionsEngine } from '../../../local/sfn/service-api';

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

describe('Step Functions HTTP front over the real engine', () => {
  let dataDir: string;
  let engine: StepFunctionsEngine;
  let server: SfnServer;
  let client: SFNClient;
  let lambda: Server;
  const tokens: string[] = [];

  beforeAll(async () => {
    // A Lambda that hands the task token to the test, as a worker would.
    lambda = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { token: string };
        tokens.push(payload.token);
        response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => lambda.listen(0, '127.0.0.1', resolve));
    dataDir = mkdtempSync(join(tmpdir(), 'sfn-http-'));
    engine = await createEngine({
      dataPath: join(dataDir, 'sfn.sqlite'),
      lambdaEndpoint: `http://127.0.0.1:${(lambda.address() as AddressInfo).port}`,
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
    lambda.closeAllConnections();
    await new Promise<void>((resolve) => lambda.close(() => resolve()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs an execution end to end: create, start, describe, history with pagination', async () => {
    const { stateMachineArn, creationDate } = await client.send(
      new CreateStateMachineCommand({
        name: 'greeter',
        roleArn: ROLE,
        definition: JSON.stringify({
          StartAt: 'Greet',
          States: {
            Greet: {
              Type: 'Pass',
              Parameters: { 'greeting.$': "States.Format('hello {}', $.who)" },
              Next: 'Done',
            },
            Done: { Type: 'Succeed' },
          },
        }),
      }),
    );
    expect(creationDate).toBeInstanceOf(Date);
    const { executionArn, startDate } = await client.send(
      new StartExecutionCommand({ stateMachineArn, name: 'first', input: '{"who":"world"}' }),
    );
    expect(startDate).toBeInstanceOf(Date);
    const described = await waitForStatus(client, executionArn, ['SUCCEEDED', 'FAILED']);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? 'null')).toEqual({ greeting: 'hello world' });
    expect(described.stopDate?.getTime()).toBeGreaterThanOrEqual(described.startDate?.getTime() ?? Infinity);

    const history = await client.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(history.events?.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(history.events?.[0]?.timestamp).toBeInstanceOf(Date);

    const paged: string[] = [];
    for await (const page of paginateGetExecutionHistory({ client, pageSize: 2 }, { executionArn })) {
      expect(page.events?.length ?? 0).toBeLessThanOrEqual(2);
      for (const event of page.events ?? []) paged.push(event.type ?? '');
    }
    expect(paged).toEqual(history.events?.map((event) => event.type));

    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(listed.executions?.map((execution) => execution.name)).toEqual(['first']);
  });

  it('waits for a task token, resumes on SendTaskSuccess and can be stopped', async () => {
    const { stateMachineArn } = await client.send(
      new CreateStateMachineCommand({
        name: 'approval',
        roleArn: ROLE,
        definition: JSON.stringify({
          StartAt: 'Ask',
          States: {
            Ask: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
              Parameters: { FunctionName: 'approver', Payload: { 'token.$': '$$.Task.Token' } },
              End: true,
            },
          },
        }),
      }),
    );
    const approved = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'approved' }));
    await expect.poll(() => tokens.length, { timeout: 5000 }).toBe(1);
    await client.send(new SendTaskSuccessCommand({ taskToken: tokens[0], output: '{"approved":true}' }));
    const done = await waitForStatus(client, approved.executionArn, ['SUCCEEDED', 'FAILED']);
    expect(JSON.parse(done.output ?? 'null')).toEqual({ approved: true });

    const abandoned = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'abandoned' }));
    await expect.poll(() => tokens.length, { timeout: 5000 }).toBe(2);
    const stopped = await client.send(
      new StopExecutionCommand({
        executionArn: abandoned.executionArn,
        error: 'Operator.Cancelled',
        cause: 'test',
      }),
    );
    expect(stopped.stopDate).toBeInstanceOf(Date);
    const aborted = await waitForStatus(client, abandoned.executionArn, ['ABORTED']);
    expect(aborted.error).toBe('Operator.Cancelled');
  });

  it('surfaces the API errors as the SDK error classes', async () => {
    await expect(
      client.send(
        new DescribeExecutionCommand({
          executionArn: 'arn:aws:states:us-east-1:123456789012:execution:greeter:none',
        }),
      ),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(
      client.send(
        new StartExecutionCommand({
          stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:missing',
        }),
      ),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(
      client.send(
        new CreateStateMachineCommand({
          name: 'broken',
          roleArn: ROLE,
          definition: '{"StartAt":"Nowhere","States":{}}',
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidDefinition);
    const { stateMachineArn } = await client.send(
      new CreateStateMachineCommand({
        name: 'once',
        roleArn: ROLE,
        definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }),
      }),
    );
    await client.send(new StartExecutionCommand({ stateMachineArn, name: 'same', input: '{"a":1}' }));
    await expect(
      client.send(new StartExecutionCommand({ stateMachineArn, name: 'same', input: '{"a":2}' })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });
});
