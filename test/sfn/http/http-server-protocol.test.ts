import { request } from 'node:http';
import * as sfn from '@aws-sdk/client-sfn';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListStateMachinesCommand,
  paginateListStateMachines,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SfnServer, STEP_FUNCTIONS_ACTIONS, startSfnServer } from '../../../local/sfn/http-server';
import { FakeEngine } from './fake-engine';

const definition = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });

function rawPost(url: string, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(url, { method: 'POST', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      });
      req.on('error', reject);
      req.end(body);
    },
  );
}

describe('Step Functions HTTP front with the AWS SDK', () => {
  let engine: FakeEngine;
  let server: SfnServer;
  let client: SFNClient;

  beforeAll(async () => {
    engine = new FakeEngine();
    server = await startSfnServer({ engine, port: 0 });
    client = new SFNClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      disableHostPrefix: true,
    });
  });

  afterAll(async () => {
    client.destroy();
    await server.close();
  });

  it('creates, starts, describes, reads history of and stops executions with dates parsed', async () => {
    const created = await client.send(
      new CreateStateMachineCommand({ name: 'flow', definition, roleArn: 'r' }),
    );
    expect(created.stateMachineArn).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:flow');
    expect(created.creationDate).toBeInstanceOf(Date);

    const started = await client.send(
      new StartExecutionCommand({ stateMachineArn: created.stateMachineArn, name: 'e1', input: '{"a":1}' }),
    );
    expect(started.startDate?.toISOString()).toBe('2023-11-14T22:14:10.500Z');

    const described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(described.status).toBe('SUCCEEDED');
    expect(described.output).toBe('{"a":1}');
    expect(described.stopDate).toBeInstanceOf(Date);

    const history = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
    expect(history.events?.map((event) => event.type)).toEqual(['ExecutionStarted', 'ExecutionSucceeded']);
    expect(history.events?.[0]?.timestamp).toBeInstanceOf(Date);
    expect(history.events?.[0]?.executionStartedEventDetails?.input).toBe('{"a":1}');

    const waiting = await client.send(
      new StartExecutionCommand({
        stateMachineArn: created.stateMachineArn,
        name: 'e2',
        input: '{"wait":1}',
      }),
    );
    const stopped = await client.send(new StopExecutionCommand({ executionArn: waiting.executionArn }));
    expect(stopped.stopDate?.getTime()).toBe(1_700_000_100_250);
    const after = await client.send(new DescribeExecutionCommand({ executionArn: waiting.executionArn }));
    expect(after.status).toBe('ABORTED');
  });

  it('raises the modelled error class for engine errors', async () => {
    const missing = client.send(
      new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:1:execution:x:y' }),
    );
    await expect(missing).rejects.toBeInstanceOf(sfn.ExecutionDoesNotExist);
    await expect(missing).rejects.toMatchObject({
      name: 'ExecutionDoesNotExist',
      message: "Execution Does Not Exist: 'arn:aws:states:us-east-1:1:execution:x:y'",
      $metadata: { httpStatusCode: 400 },
    });
    const invalid = client.send(
      new CreateStateMachineCommand({
        name: 'bad',
        definition: '{"StartAt":"A","States": {}}',
        roleArn: 'r',
      }),
    );
    await expect(invalid).rejects.toBeInstanceOf(sfn.InvalidDefinition);
  });

  it('paginates ListStateMachines through nextToken', async () => {
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) {
      await client.send(new CreateStateMachineCommand({ name, definition, roleArn: 'r' }));
    }
    const first = await client.send(new ListStateMachinesCommand({ maxResults: 2 }));
    expect(first.stateMachines).toHaveLength(2);
    expect(first.nextToken).toBeDefined();
    const names: string[] = [];
    for await (const page of paginateListStateMachines({ client, pageSize: 2 }, {})) {
      for (const machine of page.stateMachines ?? []) names.push(machine.name ?? '');
      expect(page.stateMachines?.[0]?.creationDate).toBeInstanceOf(Date);
    }
    expect(names).toEqual(expect.arrayContaining(['flow', 'p1', 'p2', 'p3', 'p4', 'p5']));
    expect(new Set(names).size).toBe(names.length);
  });

  it('routes every SDK command to the engine under its action name', async () => {
    const commandNames = Object.keys(sfn).filter((key) => /^[A-Z]\w*Command$/.test(key));
    const actions = commandNames.map((key) => key.slice(0, -'Command'.length)).sort();
    expect(actions).toEqual([...STEP_FUNCTIONS_ACTIONS].sort());
    for (const action of actions) {
      const CommandClass = (
        sfn as unknown as Record<string, new (input: object) => sfn.ListActivitiesCommand>
      )[`${action}Command`];
      if (!CommandClass) throw new Error(`no command class for ${action}`);
      engine.calls.length = 0;
      const isHandledByFake = [
        'CreateStateMachine',
        'StartExecution',
        'DescribeExecution',
        'StopExecution',
        'GetExecutionHistory',
      ].includes(action);
      if (isHandledByFake) continue;
      await client.send(new CommandClass({}));
      expect(engine.calls.map((call) => call.action)).toEqual([action]);
    }
  });

  it('answers like AWS for unknown operations, malformed JSON and engine crashes', async () => {
    const unknown = await rawPost(
      `${server.url}/`,
      { 'X-Amz-Target': 'AWSStepFunctions.Explode', 'Content-Type': 'application/x-amz-json-1.0' },
      '{}',
    );
    expect(unknown.status).toBe(400);
    expect(unknown.headers['x-amzn-errortype']).toBe('UnknownOperationException');
    expect(JSON.parse(unknown.body)).toMatchObject({ __type: 'UnknownOperationException' });
    expect(engine.calls.some((call) => call.action === 'Explode')).toBe(false);

    const malformed = await rawPost(
      `${server.url}/`,
      { 'X-Amz-Target': 'AWSStepFunctions.ListStateMachines', 'Content-Type': 'application/x-amz-json-1.0' },
      '{"maxResults":',
    );
    expect(malformed.status).toBe(400);
    expect(malformed.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(JSON.parse(malformed.body)).toMatchObject({ __type: 'SerializationException' });

    const notAnObject = await rawPost(
      `${server.url}/`,
      { 'X-Amz-Target': 'AWSStepFunctions.ListStateMachines' },
      '[1,2]',
    );
    expect(JSON.parse(notAnObject.body)).toMatchObject({ __type: 'SerializationException' });
  });

  it('refuses bodies over 8 MiB with 413 and keeps serving', async () => {
    const huge = `{"definition":"${'x'.repeat(9 * 1024 * 1024)}"}`;
    const refused = await rawPost(
      `${server.url}/`,
      { 'X-Amz-Target': 'AWSStepFunctions.CreateStateMachine', 'Content-Type': 'application/x-amz-json-1.0' },
      huge,
    );
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body)).toMatchObject({ __type: 'SerializationException' });
    await expect(client.send(new ListStateMachinesCommand({}))).resolves.toBeDefined();
  });

  it('turns an unexpected engine exception into a 500 the SDK reports and keeps serving', async () => {
    const crashing = new FakeEngine();
    crashing.dispatch = async () => {
      throw new TypeError('engine bug');
    };
    const reported: { action: string; error: unknown }[] = [];
    const crashServer = await startSfnServer({
      engine: crashing,
      port: 0,
      onInternalError: (action, error) => reported.push({ action, error }),
    });
    const crashClient = new SFNClient({
      endpoint: crashServer.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    try {
      await expect(crashClient.send(new ListStateMachinesCommand({}))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 500 },
      });
      await expect(crashClient.send(new ListStateMachinesCommand({}))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 500 },
      });
      expect(reported.map((entry) => entry.action)).toEqual(['ListStateMachines', 'ListStateMachines']);
      expect(reported[0]?.error).toBeInstanceOf(TypeError);
    } finally {
      crashClient.destroy();
      await crashServer.close();
    }
  });
});
