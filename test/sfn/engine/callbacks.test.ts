import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../local/sfn/engine';
import type { StepFunctionsEngine } from '../../../local/sfn/service-api';
import { createMachine, historyTypes, waitForStatus, waitUntil } from './engine-test-kit';
import { FakeLambdaServer } from './fake-lambda-server';

const lambdaServer = new FakeLambdaServer();
let engine: StepFunctionsEngine;
let tokensByOrder: Map<string, string>;

beforeAll(async () => {
  await lambdaServer.start();
});

afterAll(async () => {
  await lambdaServer.stop();
});

beforeEach(async () => {
  tokensByOrder = new Map();
  const lambdaEndpoint = lambdaServer.endpointFor({
    registerWait: (event) => {
      const { orderId, token } = event as { orderId: string; token: string };
      tokensByOrder.set(orderId, token);
      return { body: '{"registered":true}' };
    },
    // Answers its own token before returning, then returns late: the answer reaches the engine first.
    answerOwnTokenFirst: async (event) => {
      const { token, fail } = event as { token: string; fail?: boolean };
      if (fail) {
        await engine.dispatch('SendTaskFailure', {
          taskToken: token,
          error: 'Refused',
          cause: 'by the function',
        });
      } else {
        await engine.dispatch('SendTaskSuccess', { taskToken: token, output: '{"answeredBy":"function"}' });
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { body: '{"submitted":true}' };
    },
  });
  engine = await createEngine({ dataPath: ':memory:', lambdaEndpoint });
});

afterEach(async () => {
  await engine.close();
});

function callbackMachine(extra: Record<string, unknown> = {}, catchers: unknown[] = []) {
  return {
    QueryLanguage: 'JSONata',
    StartAt: 'AwaitAnswer',
    States: {
      AwaitAnswer: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Arguments: {
          FunctionName: 'registerWait',
          Payload: { orderId: '{% $states.input.orderId %}', token: '{% $states.context.Task.Token %}' },
        },
        Output: { answer: '{% $states.result %}' },
        ...extra,
        ...(catchers.length > 0 ? { Catch: catchers } : {}),
        End: true,
      },
      // AWS refuses unreachable states, so the Catch target exists only when a Catch uses it.
      ...(catchers.length > 0
        ? { Recovered: { Type: 'Pass', Output: { recovered: '{% $states.input %}' }, End: true } }
        : {}),
    },
  };
}

async function start(machineArn: string, orderId: string): Promise<string> {
  const { executionArn } = await engine.dispatch('StartExecution', {
    stateMachineArn: machineArn,
    name: orderId,
    input: JSON.stringify({ orderId }),
  });
  await waitUntil(() => tokensByOrder.has(orderId));
  return String(executionArn);
}

describe('callback tasks (.waitForTaskToken)', () => {
  it('continues with the SendTaskSuccess output and records the AWS event sequence', async () => {
    const machineArn = await createMachine(engine, 'Callback', callbackMachine());
    const executionArn = await start(machineArn, 'o-1');
    await engine.dispatch('SendTaskSuccess', {
      taskToken: tokensByOrder.get('o-1'),
      output: JSON.stringify({ notify: 'takedown.complied' }),
    });
    const described = await waitForStatus(engine, executionArn);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(String(described.output))).toEqual({ answer: { notify: 'takedown.complied' } });
    expect(await historyTypes(engine, executionArn)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('records TaskSubmitted before the answer when the function answers its own token before returning', async () => {
    const machineArn = await createMachine(engine, 'SelfAnswer', {
      QueryLanguage: 'JSONata',
      StartAt: 'AwaitAnswer',
      States: {
        AwaitAnswer: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Arguments: {
            FunctionName: 'answerOwnTokenFirst',
            Payload: { token: '{% $states.context.Task.Token %}' },
          },
          End: true,
        },
      },
    });
    const { executionArn } = await engine.dispatch('StartExecution', { stateMachineArn: machineArn });
    const described = await waitForStatus(engine, String(executionArn));
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(String(described.output))).toEqual({ answeredBy: 'function' });
    const history = await engine.dispatch('GetExecutionHistory', { executionArn, maxResults: 1000 });
    const events = history.events as { type: string; taskSubmittedEventDetails?: { output: string } }[];
    expect(events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    const submitted = events.find((event) => event.type === 'TaskSubmitted');
    expect(JSON.parse(submitted?.taskSubmittedEventDetails?.output ?? '{}')).toMatchObject({
      Payload: { submitted: true },
    });
  });

  it('applies a SendTaskFailure that arrives before the invoke returns, after TaskSubmitted', async () => {
    const machineArn = await createMachine(engine, 'SelfRefusal', {
      QueryLanguage: 'JSONata',
      StartAt: 'AwaitAnswer',
      States: {
        AwaitAnswer: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Arguments: {
            FunctionName: 'answerOwnTokenFirst',
            Payload: { token: '{% $states.context.Task.Token %}', fail: true },
          },
          End: true,
        },
      },
    });
    const { executionArn } = await engine.dispatch('StartExecution', { stateMachineArn: machineArn });
    const described = await waitForStatus(engine, String(executionArn));
    expect(described).toMatchObject({ status: 'FAILED', error: 'Refused', cause: 'by the function' });
    expect(await historyTypes(engine, String(executionArn))).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskFailed',
      'ExecutionFailed',
    ]);
  });

  it('routes SendTaskFailure through Catch with the given error and cause', async () => {
    const machineArn = await createMachine(
      engine,
      'CallbackFailure',
      callbackMachine({}, [{ ErrorEquals: ['OrderChanged'], Next: 'Recovered' }]),
    );
    const executionArn = await start(machineArn, 'o-2');
    await engine.dispatch('SendTaskFailure', {
      taskToken: tokensByOrder.get('o-2'),
      error: 'OrderChanged',
      cause: 'version 3 != 4',
    });
    const described = await waitForStatus(engine, executionArn);
    expect(JSON.parse(String(described.output))).toEqual({
      recovered: { Error: 'OrderChanged', Cause: 'version 3 != 4' },
    });
  });

  it('times out with States.Timeout and then answers a late SendTaskSuccess with TaskTimedOut', async () => {
    const machineArn = await createMachine(
      engine,
      'CallbackTimeout',
      callbackMachine({ TimeoutSeconds: '{% 1 %}' }, [
        { ErrorEquals: ['States.Timeout'], Next: 'Recovered' },
      ]),
    );
    const executionArn = await start(machineArn, 'o-3');
    const described = await waitForStatus(engine, executionArn);
    expect(JSON.parse(String(described.output))).toEqual({
      recovered: { Error: 'States.Timeout', Cause: '' },
    });
    await expect(
      engine.dispatch('SendTaskSuccess', { taskToken: tokensByOrder.get('o-3'), output: '{}' }),
    ).rejects.toMatchObject({ code: 'TaskTimedOut' });
    expect(await historyTypes(engine, executionArn)).toContain('TaskTimedOut');
  });

  it('stays alive while heartbeats arrive and fails with States.HeartbeatTimeout when they stop', async () => {
    const machineArn = await createMachine(engine, 'Heartbeat', callbackMachine({ HeartbeatSeconds: 1 }));
    const aliveArn = await start(machineArn, 'o-4');
    const token = tokensByOrder.get('o-4');
    for (let beat = 0; beat < 4; beat++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await engine.dispatch('SendTaskHeartbeat', { taskToken: token });
    }
    await engine.dispatch('SendTaskSuccess', { taskToken: token, output: '"done"' });
    expect((await waitForStatus(engine, aliveArn)).status).toBe('SUCCEEDED');

    const silentArn = await start(machineArn, 'o-5');
    const silent = await waitForStatus(engine, silentArn);
    expect(silent).toMatchObject({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
  });

  it('rejects malformed, unknown and already used tokens with AWS error codes', async () => {
    const machineArn = await createMachine(engine, 'Tokens', callbackMachine());
    const executionArn = await start(machineArn, 'o-6');
    const token = tokensByOrder.get('o-6');
    await expect(
      engine.dispatch('SendTaskSuccess', { taskToken: 'not a token!', output: '{}' }),
    ).rejects.toMatchObject({ code: 'InvalidToken' });
    await expect(
      engine.dispatch('SendTaskSuccess', { taskToken: 'A'.repeat(64), output: '{}' }),
    ).rejects.toMatchObject({ code: 'TaskDoesNotExist' });
    await expect(
      engine.dispatch('SendTaskSuccess', { taskToken: token, output: '{oops' }),
    ).rejects.toMatchObject({
      code: 'InvalidOutput',
    });
    await engine.dispatch('SendTaskSuccess', { taskToken: token, output: '1' });
    await expect(engine.dispatch('SendTaskSuccess', { taskToken: token, output: '2' })).rejects.toMatchObject(
      {
        code: 'TaskTimedOut',
      },
    );
    expect(JSON.parse(String((await waitForStatus(engine, executionArn)).output))).toEqual({ answer: 1 });
  });

  it('closes the token when the invoke that should hand it out fails', async () => {
    const machineArn = await createMachine(engine, 'BrokenRegistration', {
      QueryLanguage: 'JSONata',
      StartAt: 'AwaitAnswer',
      States: {
        AwaitAnswer: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Arguments: {
            FunctionName: 'missingFunction',
            Payload: { token: '{% $states.context.Task.Token %}' },
          },
          End: true,
        },
      },
    });
    const { executionArn } = await engine.dispatch('StartExecution', { stateMachineArn: machineArn });
    const described = await waitForStatus(engine, String(executionArn));
    expect(described).toMatchObject({ status: 'FAILED', error: 'Lambda.ResourceNotFoundException' });
    const history = await engine.dispatch('GetExecutionHistory', { executionArn, maxResults: 1000 });
    const events = history.events as { type: string; taskScheduledEventDetails?: { parameters: string } }[];
    const scheduled = events.find((event) => event.type === 'TaskScheduled');
    const parameters = JSON.parse(scheduled?.taskScheduledEventDetails?.parameters ?? '{}') as {
      Payload: { token: string };
    };
    const token = parameters.Payload.token;
    await expect(
      engine.dispatch('SendTaskSuccess', { taskToken: token, output: '{}' }),
    ).rejects.toMatchObject({
      code: 'TaskTimedOut',
    });
  });

  it('closes the token of a stopped execution', async () => {
    const machineArn = await createMachine(engine, 'StopWhileWaiting', callbackMachine());
    const executionArn = await start(machineArn, 'o-7');
    await engine.dispatch('StopExecution', { executionArn });
    await expect(
      engine.dispatch('SendTaskSuccess', { taskToken: tokensByOrder.get('o-7'), output: '{}' }),
    ).rejects.toMatchObject({ code: 'TaskTimedOut' });
    const types = await historyTypes(engine, executionArn);
    expect(types[types.length - 1]).toBe('ExecutionAborted');
    expect((await engine.dispatch('DescribeExecution', { executionArn })).status).toBe('ABORTED');
  });

  it('runs hundreds of concurrent callback executions, each answered exactly once', async () => {
    const machineArn = await createMachine(engine, 'Many', callbackMachine());
    const count = 300;
    const orderIds = Array.from({ length: count }, (_, index) => `bulk-${index}`);
    const executionArns = await Promise.all(
      orderIds.map(async (orderId) => {
        const { executionArn } = await engine.dispatch('StartExecution', {
          stateMachineArn: machineArn,
          name: orderId,
          input: JSON.stringify({ orderId }),
        });
        return String(executionArn);
      }),
    );
    await waitUntil(() => tokensByOrder.size === count, 20_000);
    const firstAnswers = await Promise.allSettled(
      orderIds.map((orderId) =>
        engine.dispatch('SendTaskSuccess', {
          taskToken: tokensByOrder.get(orderId),
          output: JSON.stringify(orderId),
        }),
      ),
    );
    const secondAnswers = await Promise.allSettled(
      orderIds.map((orderId) =>
        engine.dispatch('SendTaskSuccess', { taskToken: tokensByOrder.get(orderId), output: '"again"' }),
      ),
    );
    expect(firstAnswers.every((answer) => answer.status === 'fulfilled')).toBe(true);
    expect(secondAnswers.every((answer) => answer.status === 'rejected')).toBe(true);
    for (const [index, executionArn] of executionArns.entries()) {
      const described = await waitForStatus(engine, executionArn);
      expect(JSON.parse(String(described.output))).toEqual({ answer: orderIds[index] });
    }
  });
});
