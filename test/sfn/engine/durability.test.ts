import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../local/sfn/engine';
import type { StepFunctionsEngine } from '../../../local/sfn/service-api';
import { ChildEngine, historyTypes, temporaryDatabasePath, waitForStatus } from './engine-test-kit';
import { FakeLambdaServer, pythonJson } from './fake-lambda-server';

const lambdaServer = new FakeLambdaServer();
const tokens: string[] = [];
let lambdaEndpoint = '';

beforeAll(async () => {
  await lambdaServer.start();
  lambdaEndpoint = lambdaServer.endpointFor({
    identity: (event) => ({ body: pythonJson(event) }),
    registerToken: (event) => {
      const token = (event as { token?: unknown }).token;
      if (typeof token === 'string') tokens.push(token);
      return { body: '{}' };
    },
  });
});

afterAll(async () => {
  await lambdaServer.stop();
});

async function startInChild(definition: unknown, name: string) {
  const dataPath = temporaryDatabasePath();
  const child = await ChildEngine.start(dataPath, lambdaEndpoint);
  const { stateMachineArn } = await child.dispatch('CreateStateMachine', {
    name,
    definition: JSON.stringify(definition),
    roleArn: 'arn:aws:iam::111111111111:role/test',
  });
  const { executionArn } = await child.dispatch('StartExecution', {
    stateMachineArn,
    name: `${name}-run`,
    input: JSON.stringify({ order: 7 }),
  });
  return { child, dataPath, executionArn: String(executionArn) };
}

async function childEventCount(child: ChildEngine, executionArn: string, type: string): Promise<number> {
  const history = await child.dispatch('GetExecutionHistory', { executionArn, maxResults: 1000 });
  return (history.events as { type: string }[]).filter((event) => event.type === type).length;
}

async function waitForChildEvent(
  child: ChildEngine,
  executionArn: string,
  type: string,
  count = 1,
): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await childEventCount(child, executionArn, type)) < count) {
    if (Date.now() > deadline) throw new Error(`no ${type} event`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function expectEachStateOnce(types: string[], expectedEntered: number): void {
  expect(types.filter((type) => type === 'ExecutionStarted')).toHaveLength(1);
  expect(types.filter((type) => type.endsWith('StateEntered'))).toHaveLength(expectedEntered);
}

async function eventIdsOf(engine: StepFunctionsEngine, executionArn: string): Promise<number[]> {
  const history = await engine.dispatch('GetExecutionHistory', { executionArn, maxResults: 1000 });
  return (history.events as { id: number }[]).map((event) => event.id);
}

describe('engine durability across SIGKILL', () => {
  it('resumes a Wait at its original due time without re-running the finished Lambda task', async () => {
    const definition = {
      StartAt: 'Invoke',
      States: {
        Invoke: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:us-east-1:111111111111:function:identity',
          Next: 'Pause',
        },
        Pause: { Type: 'Wait', Seconds: 3, Next: 'Done' },
        Done: { Type: 'Pass', Result: { finished: true }, ResultPath: '$.result', End: true },
      },
    };
    const invocationsBefore = lambdaServer.invocations.length;
    const { child, dataPath, executionArn } = await startInChild(definition, 'wait-resume');
    await waitForChildEvent(child, executionArn, 'WaitStateEntered');
    const dueAt = Date.now() + 3000;
    await child.kill();

    const engine = await createEngine({ dataPath, lambdaEndpoint });
    try {
      const described = await waitForStatus(engine, executionArn);
      const finishedAt = Date.now();
      expect(described.status).toBe('SUCCEEDED');
      expect(JSON.parse(String(described.output))).toEqual({ order: 7, result: { finished: true } });
      expect(finishedAt).toBeGreaterThanOrEqual(dueAt - 400);
      expect(finishedAt).toBeLessThan(dueAt + 2000);
      expect(lambdaServer.invocations.length - invocationsBefore).toBe(1);
      const types = await historyTypes(engine, executionArn);
      expectEachStateOnce(types, 3);
      const ids = await eventIdsOf(engine, executionArn);
      expect(ids).toEqual(ids.map((_, index) => index + 1));
    } finally {
      await engine.close();
    }
  });

  it('resumes a Map mid-way: finished iteration steps are not run again', async () => {
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          MaxConcurrency: 2,
          ItemProcessor: {
            StartAt: 'Invoke',
            States: {
              Invoke: {
                Type: 'Task',
                Resource: 'arn:aws:lambda:us-east-1:111111111111:function:identity',
                Next: 'Pause',
              },
              Pause: { Type: 'Wait', Seconds: 2, End: true },
            },
          },
          End: true,
        },
      },
    };
    const before = lambdaServer.invocations.length;
    const dataPath = temporaryDatabasePath();
    const child = await ChildEngine.start(dataPath, lambdaEndpoint);
    const { stateMachineArn } = await child.dispatch('CreateStateMachine', {
      name: 'map-resume',
      definition: JSON.stringify(definition),
      roleArn: 'arn:aws:iam::111111111111:role/test',
    });
    const { executionArn } = await child.dispatch('StartExecution', {
      stateMachineArn,
      input: JSON.stringify([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]),
    });
    await waitForChildEvent(child, String(executionArn), 'WaitStateEntered', 2);
    await child.kill();
    const invokedBeforeKill = lambdaServer.invocations.length - before;
    expect(invokedBeforeKill).toBe(2);

    const engine = await createEngine({ dataPath, lambdaEndpoint });
    try {
      const described = await waitForStatus(engine, String(executionArn));
      expect(described.status).toBe('SUCCEEDED');
      expect(JSON.parse(String(described.output))).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
      expect(lambdaServer.invocations.length - before).toBe(4);
      const types = await historyTypes(engine, String(executionArn));
      expect(types.filter((type) => type === 'MapIterationStarted')).toHaveLength(4);
      expect(types.filter((type) => type === 'TaskStateEntered')).toHaveLength(4);
      const ids = await eventIdsOf(engine, String(executionArn));
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await engine.close();
    }
  });

  it('ends a Wait at once when its due time passed while the engine was down', async () => {
    const definition = {
      StartAt: 'Pause',
      States: { Pause: { Type: 'Wait', Seconds: 1, End: true } },
    };
    const { child, dataPath, executionArn } = await startInChild(definition, 'wait-passed');
    await waitForChildEvent(child, executionArn, 'WaitStateEntered');
    await child.kill();
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const restartedAt = Date.now();
    const engine = await createEngine({ dataPath, lambdaEndpoint });
    try {
      const described = await waitForStatus(engine, executionArn);
      expect(described.status).toBe('SUCCEEDED');
      expect(Date.now() - restartedAt).toBeLessThan(1000);
    } finally {
      await engine.close();
    }
  });

  it('keeps a pending callback token valid across a restart and invokes the Lambda only once', async () => {
    const definition = {
      StartAt: 'AwaitApproval',
      States: {
        AwaitApproval: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: 'registerToken', Payload: { 'token.$': '$$.Task.Token' } },
          TimeoutSeconds: 60,
          Next: 'Approved',
        },
        Approved: { Type: 'Pass', End: true },
      },
    };
    const tokensBefore = tokens.length;
    const { child, dataPath, executionArn } = await startInChild(definition, 'callback-resume');
    await waitForChildEvent(child, executionArn, 'TaskSubmitted');
    await child.kill();
    expect(tokens.length - tokensBefore).toBe(1);
    const token = tokens[tokens.length - 1] ?? '';

    const engine = await createEngine({ dataPath, lambdaEndpoint });
    try {
      await engine.dispatch('SendTaskSuccess', {
        taskToken: token,
        output: JSON.stringify({ approved: 'yes' }),
      });
      const described = await waitForStatus(engine, executionArn);
      expect(described.status).toBe('SUCCEEDED');
      expect(JSON.parse(String(described.output))).toEqual({ approved: 'yes' });
      expect(tokens.length - tokensBefore).toBe(1);
      const types = await historyTypes(engine, executionArn);
      expect(types.filter((type) => type === 'TaskSubmitted')).toHaveLength(1);
      expectEachStateOnce(types, 2);
    } finally {
      await engine.close();
    }
  });

  it('times a pending callback out at its original deadline after a restart, then rejects the late answer', async () => {
    const definition = {
      StartAt: 'AwaitApproval',
      States: {
        AwaitApproval: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: 'registerToken', Payload: { 'token.$': '$$.Task.Token' } },
          TimeoutSeconds: 3,
          End: true,
        },
      },
    };
    const { child, dataPath, executionArn } = await startInChild(definition, 'callback-timeout');
    await waitForChildEvent(child, executionArn, 'TaskSubmitted');
    const deadline = Date.now() + 3000;
    await child.kill();
    const token = tokens[tokens.length - 1] ?? '';

    const engine = await createEngine({ dataPath, lambdaEndpoint });
    try {
      const described = await waitForStatus(engine, executionArn);
      expect(described.status).toBe('FAILED');
      expect(described.error).toBe('States.Timeout');
      expect(Date.now()).toBeGreaterThanOrEqual(deadline - 500);
      await expect(
        engine.dispatch('SendTaskSuccess', { taskToken: token, output: '{}' }),
      ).rejects.toMatchObject({ code: 'TaskTimedOut' });
      const types = await historyTypes(engine, executionArn);
      expect(types.slice(-2)).toEqual(['TaskTimedOut', 'ExecutionFailed']);
    } finally {
      await engine.close();
    }
  });

  it('delivers a failure answer sent to a freshly restarted engine process', async () => {
    const definition = {
      StartAt: 'AwaitApproval',
      States: {
        AwaitApproval: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: 'registerToken', Payload: { 'token.$': '$$.Task.Token' } },
          End: true,
        },
      },
    };
    const { child, dataPath, executionArn } = await startInChild(definition, 'callback-answered-offline');
    await waitForChildEvent(child, executionArn, 'TaskSubmitted');
    const token = tokens[tokens.length - 1] ?? '';
    // A new engine process on the same file takes the answer while it is still resuming the execution.
    await child.kill();
    const answering = await ChildEngine.start(dataPath, lambdaEndpoint);
    await answering.dispatch('SendTaskFailure', { taskToken: token, error: 'Rejected', cause: 'no' });
    const described = await waitForStatus(answering, executionArn);
    await answering.kill();
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('Rejected');
    expect(described.cause).toBe('no');
  });
});
