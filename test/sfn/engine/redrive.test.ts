import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEngine } from '../../../local/sfn/engine';
import type { StepFunctionsEngine } from '../../../local/sfn/service-api';
import {
  ChildEngine,
  createMachine,
  historyTypes,
  temporaryDatabasePath,
  waitForStatus,
} from './engine-test-kit';
import { FakeLambdaServer, pythonJson } from './fake-lambda-server';

const lambdaServer = new FakeLambdaServer();
/** Items (or the word 'task') whose function call fails while they are listed here. */
const broken = new Set<string>();
let lambdaEndpoint = '';

function calls(item: string): number {
  return lambdaServer.invocations.filter((call) => (call.event as { item?: string } | null)?.item === item)
    .length;
}

beforeAll(async () => {
  await lambdaServer.start();
  lambdaEndpoint = lambdaServer.endpointFor({
    flaky: async (event) => {
      const item = (event as { item?: string }).item ?? '';
      // A slow item fails after its siblings have finished.
      if (item.startsWith('slow')) await new Promise((resolve) => setTimeout(resolve, 150));
      if (broken.has(item)) {
        return {
          functionError: true,
          body: pythonJson({ errorMessage: `${item} is broken`, errorType: 'Broken' }),
        };
      }
      return { body: pythonJson({ done: item }) };
    },
  });
});

afterAll(async () => {
  await lambdaServer.stop();
});

beforeEach(() => {
  lambdaServer.invocations.splice(0);
});

const FLAKY = 'arn:aws:lambda:us-east-1:111111111111:function:flaky';

const TASK_MACHINE = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Result: { item: 'task' }, Next: 'Call' },
    Call: { Type: 'Task', Resource: FLAKY, Next: 'Report' },
    Report: {
      Type: 'Pass',
      Parameters: { 'result.$': '$', 'redriveCount.$': '$$.Execution.RedriveCount' },
      End: true,
    },
  },
};

async function failedExecution(engine: StepFunctionsEngine, definition: unknown, name: string) {
  const machineArn = await createMachine(engine, name, definition);
  const { executionArn } = await engine.dispatch('StartExecution', {
    stateMachineArn: machineArn,
    input: '{}',
  });
  const failed = await waitForStatus(engine, String(executionArn));
  expect(failed.status).toBe('FAILED');
  return { machineArn, executionArn: String(executionArn) };
}

describe.each([
  ['in memory', () => ':memory:'],
  ['in a SQLite file', temporaryDatabasePath],
])('RedriveExecution (%s)', (_label, dataPath) => {
  let engine: StepFunctionsEngine;

  afterEach(async () => {
    broken.clear();
    vi.useRealTimers();
    await engine.close();
  });

  async function start() {
    engine = await createEngine({
      dataPath: dataPath(),
      lambdaEndpoint,
      region: 'us-east-1',
      accountId: '111111111111',
    });
  }

  it('resumes at the failed Task under the same ARN without re-running the states before it', async () => {
    await start();
    broken.add('task');
    const { executionArn } = await failedExecution(engine, TASK_MACHINE, 'TaskRedrive');
    const before = await engine.dispatch('DescribeExecution', { executionArn });
    expect(before).toMatchObject({ redriveCount: 0, redriveStatus: 'REDRIVABLE' });
    expect(before.redriveStatusReason).toBeUndefined();
    broken.delete('task');
    const callsBefore = calls('task');

    const redriven = await engine.dispatch('RedriveExecution', { executionArn });
    expect(typeof redriven.redriveDate).toBe('number');
    const done = await waitForStatus(engine, executionArn);
    expect(done).toMatchObject({
      executionArn,
      status: 'SUCCEEDED',
      redriveCount: 1,
      redriveDate: redriven.redriveDate,
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
    });
    expect(done.error).toBeUndefined();
    expect(JSON.parse(String(done.output))).toEqual({ result: { done: 'task' }, redriveCount: 1 });
    expect(calls('task')).toBe(callsBefore + 1);
    const types = await historyTypes(engine, executionArn);
    expect(types.filter((type) => type === 'PassStateEntered')).toHaveLength(2); // Prepare once, Report once
    expect(types.filter((type) => type === 'TaskStateEntered')).toHaveLength(2);
    expect(types.slice(types.indexOf('ExecutionFailed'))).toEqual([
      'ExecutionFailed',
      'ExecutionRedriven',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    const history = await engine.dispatch('GetExecutionHistory', { executionArn, maxResults: 1000 });
    const events = history.events as { id: number; previousEventId: number; type: string }[];
    const redrivenEvent = events.find((event) => event.type === 'ExecutionRedriven');
    expect(redrivenEvent).toMatchObject({ executionRedrivenEventDetails: { redriveCount: 1 } });
    expect(events.map((event) => event.id)).toEqual(events.map((_event, index) => index + 1));
    const next = events[redrivenEvent?.id ?? 0];
    expect(next?.previousEventId).toBe(redrivenEvent?.id);
  });

  it('re-runs only the failed iterations of a Map and the failed branch of a Parallel', async () => {
    await start();
    broken.add('b');
    broken.add('slow-left');
    const definition = {
      StartAt: 'Fan',
      States: {
        Fan: {
          Type: 'Map',
          ItemsPath: '$.items',
          // One at a time: item c has not started when b fails, so only a has succeeded.
          MaxConcurrency: 1,
          ItemSelector: { 'item.$': '$$.Map.Item.Value' },
          ItemProcessor: { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: FLAKY, End: true } } },
          ResultPath: '$.mapped',
          Next: 'Both',
        },
        Both: {
          Type: 'Parallel',
          Branches: ['slow-left', 'right'].map((item) => ({
            StartAt: `Do-${item}`,
            States: { [`Do-${item}`]: { Type: 'Task', Resource: FLAKY, Parameters: { item }, End: true } },
          })),
          ResultPath: '$.both',
          End: true,
        },
      },
    };
    const machineArn = await createMachine(engine, 'FanRedrive', definition);
    const { executionArn } = await engine.dispatch('StartExecution', {
      stateMachineArn: machineArn,
      input: JSON.stringify({ items: ['a', 'b', 'c'] }),
    });
    expect((await waitForStatus(engine, String(executionArn))).status).toBe('FAILED');
    expect([calls('a'), calls('b'), calls('c'), calls('right')]).toEqual([1, 1, 0, 0]);

    broken.delete('b');
    await engine.dispatch('RedriveExecution', { executionArn });
    expect((await waitForStatus(engine, String(executionArn))).status).toBe('FAILED');
    // The Map ran b again and c for the first time, not a; the Parallel then failed on its slow branch.
    expect([calls('a'), calls('b'), calls('c'), calls('slow-left'), calls('right')]).toEqual([1, 2, 1, 1, 1]);

    broken.delete('slow-left');
    await engine.dispatch('RedriveExecution', { executionArn });
    const done = await waitForStatus(engine, String(executionArn));
    expect(done).toMatchObject({ status: 'SUCCEEDED', redriveCount: 2 });
    expect(JSON.parse(String(done.output))).toEqual({
      items: ['a', 'b', 'c'],
      mapped: [{ done: 'a' }, { done: 'b' }, { done: 'c' }],
      both: [{ done: 'slow-left' }, { done: 'right' }],
    });
    expect([calls('a'), calls('b'), calls('c'), calls('slow-left'), calls('right')]).toEqual([1, 2, 1, 2, 1]);
  });

  it('restarts the retries of the failed Task and resumes an aborted Wait afresh', async () => {
    await start();
    broken.add('task');
    const retrying = {
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: FLAKY,
          Parameters: { item: 'task' },
          Retry: [{ ErrorEquals: ['Broken'], MaxAttempts: 1, IntervalSeconds: 1, BackoffRate: 1 }],
          End: true,
        },
      },
    };
    const { executionArn } = await failedExecution(engine, retrying, 'RetryRedrive');
    expect(calls('task')).toBeGreaterThanOrEqual(2);
    const firstRunCalls = calls('task');
    await engine.dispatch('RedriveExecution', { executionArn });
    expect((await waitForStatus(engine, executionArn)).status).toBe('FAILED');
    expect(calls('task')).toBe(firstRunCalls * 2);

    const waiting = await createMachine(engine, 'WaitRedrive', {
      StartAt: 'Pause',
      States: { Pause: { Type: 'Wait', Seconds: 1, End: true } },
    });
    const started = await engine.dispatch('StartExecution', { stateMachineArn: waiting });
    const waitArn = String(started.executionArn);
    await engine.dispatch('StopExecution', { executionArn: waitArn, error: 'Operator.Stop' });
    expect((await waitForStatus(engine, waitArn)).status).toBe('ABORTED');
    // Past the first due time: a redrive that kept it would end at once.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await engine.dispatch('RedriveExecution', { executionArn: waitArn });
    const done = await waitForStatus(engine, waitArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(Number(done.stopDate) - Number(done.redriveDate)).toBeGreaterThanOrEqual(0.99);
  });

  it('answers a repeated clientToken with the same redriveDate and redrives once', async () => {
    await start();
    broken.add('task');
    const { executionArn } = await failedExecution(engine, TASK_MACHINE, 'TokenRedrive');
    const first = await engine.dispatch('RedriveExecution', {
      executionArn,
      clientToken: 'order-7-recovery',
    });
    const again = await engine.dispatch('RedriveExecution', {
      executionArn,
      clientToken: 'order-7-recovery',
    });
    expect(again).toEqual(first);
    await waitForStatus(engine, executionArn);
    const described = await engine.dispatch('DescribeExecution', { executionArn });
    expect(described.redriveCount).toBe(1);
    await expect(
      engine.dispatch('RedriveExecution', { executionArn, clientToken: 'another' }),
    ).resolves.toMatchObject({
      redriveDate: expect.any(Number),
    });
    await expect(
      engine.dispatch('RedriveExecution', { executionArn, clientToken: 'x'.repeat(65) }),
    ).rejects.toMatchObject({ code: 'ValidationException' });
  });

  it("refuses what AWS refuses, with AWS's error codes", async () => {
    await start();
    const succeeded = await createMachine(engine, 'Fine', {
      StartAt: 'P',
      States: { P: { Type: 'Pass', End: true } },
    });
    const ok = await engine.dispatch('StartExecution', { stateMachineArn: succeeded });
    await waitForStatus(engine, String(ok.executionArn));
    await expect(
      engine.dispatch('RedriveExecution', { executionArn: ok.executionArn }),
    ).rejects.toMatchObject({
      code: 'ExecutionNotRedrivable',
      message: expect.stringContaining('Execution is SUCCEEDED and cannot be redriven'),
    });
    const slow = await createMachine(engine, 'Slow', {
      StartAt: 'W',
      States: { W: { Type: 'Wait', Seconds: 60, End: true } },
    });
    const running = await engine.dispatch('StartExecution', { stateMachineArn: slow });
    await expect(
      engine.dispatch('RedriveExecution', { executionArn: running.executionArn }),
    ).rejects.toMatchObject({
      code: 'ExecutionNotRedrivable',
    });
    expect(await engine.dispatch('DescribeExecution', { executionArn: running.executionArn })).toMatchObject({
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution is RUNNING and cannot be redriven',
    });
    await expect(
      engine.dispatch('RedriveExecution', { executionArn: `${String(running.executionArn)}-nope` }),
    ).rejects.toMatchObject({ code: 'ExecutionDoesNotExist' });
    await expect(engine.dispatch('RedriveExecution', { executionArn: 'not-an-arn' })).rejects.toMatchObject({
      code: 'InvalidArn',
    });
    const express = await createMachine(
      engine,
      'Quick',
      { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'E' } } },
      'EXPRESS',
    );
    const fast = await engine.dispatch('StartExecution', { stateMachineArn: express });
    await waitForStatus(engine, String(fast.executionArn));
    await expect(
      engine.dispatch('RedriveExecution', { executionArn: fast.executionArn }),
    ).rejects.toMatchObject({
      code: 'ExecutionNotRedrivable',
    });
  });

  it('stops being redrivable 14 days after the execution stopped', async () => {
    await start();
    broken.add('task');
    const { executionArn } = await failedExecution(engine, TASK_MACHINE, 'OldRedrive');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 15 * 86_400_000);
    expect(await engine.dispatch('DescribeExecution', { executionArn })).toMatchObject({
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution redrivable period exceeded',
    });
    await expect(engine.dispatch('RedriveExecution', { executionArn })).rejects.toMatchObject({
      code: 'ExecutionNotRedrivable',
    });
  });

  it('lists redriven executions with their count and date, and filters on them', async () => {
    await start();
    broken.add('task');
    const { machineArn, executionArn } = await failedExecution(engine, TASK_MACHINE, 'ListRedrive');
    const other = await engine.dispatch('StartExecution', { stateMachineArn: machineArn });
    await waitForStatus(engine, String(other.executionArn));
    broken.delete('task');
    const { redriveDate } = await engine.dispatch('RedriveExecution', { executionArn });
    await waitForStatus(engine, executionArn);
    const list = async (redriveFilter?: string) =>
      (await engine.dispatch('ListExecutions', { stateMachineArn: machineArn, redriveFilter }))
        .executions as {
        executionArn: string;
        redriveCount: number;
        redriveDate?: number;
      }[];
    expect(await list('REDRIVEN')).toEqual([
      expect.objectContaining({ executionArn, redriveCount: 1, redriveDate }),
    ]);
    expect((await list('NOT_REDRIVEN')).map((item) => item.executionArn)).toEqual([other.executionArn]);
    expect(await list()).toHaveLength(2);
    await expect(list('SOMETIMES')).rejects.toMatchObject({ code: 'ValidationException' });
  });
});

describe('open executions limit', () => {
  it('answers ExecutionLimitExceeded to StartExecution and RedriveExecution beyond maxOpenExecutions', async () => {
    const engine = await createEngine({ dataPath: ':memory:', lambdaEndpoint, maxOpenExecutions: 1 });
    try {
      broken.add('task');
      const { executionArn } = await failedExecution(engine, TASK_MACHINE, 'Limited');
      const slow = await createMachine(engine, 'Slow', {
        StartAt: 'W',
        States: { W: { Type: 'Wait', Seconds: 60, End: true } },
      });
      await engine.dispatch('StartExecution', { stateMachineArn: slow });
      await expect(engine.dispatch('StartExecution', { stateMachineArn: slow })).rejects.toMatchObject({
        code: 'ExecutionLimitExceeded',
      });
      await expect(engine.dispatch('RedriveExecution', { executionArn })).rejects.toMatchObject({
        code: 'ExecutionLimitExceeded',
      });
    } finally {
      broken.clear();
      await engine.close();
    }
  });
});

describe('RedriveExecution across restarts', () => {
  it("restarts the execution's TimeoutSeconds clock at the redrive", async () => {
    const engine = await createEngine({ dataPath: temporaryDatabasePath(), lambdaEndpoint });
    try {
      const machineArn = await createMachine(engine, 'Timed', {
        TimeoutSeconds: 1,
        StartAt: 'Pause',
        States: { Pause: { Type: 'Wait', Seconds: 3, End: true } },
      });
      const { executionArn } = await engine.dispatch('StartExecution', { stateMachineArn: machineArn });
      expect((await waitForStatus(engine, String(executionArn))).status).toBe('TIMED_OUT');
      await new Promise((resolve) => setTimeout(resolve, 500));
      await engine.dispatch('RedriveExecution', { executionArn });
      const again = await waitForStatus(engine, String(executionArn));
      expect(again).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout', redriveCount: 1 });
      expect(Number(again.stopDate) - Number(again.redriveDate)).toBeGreaterThanOrEqual(0.99);
    } finally {
      await engine.close();
    }
  });

  it('finishes a redriven run after SIGKILL without running its steps twice', async () => {
    broken.add('task');
    const definition = {
      StartAt: 'Prepare',
      States: {
        Prepare: { Type: 'Pass', Result: { item: 'task' }, Next: 'Call' },
        Call: { Type: 'Task', Resource: FLAKY, Next: 'Pause' },
        Pause: { Type: 'Wait', Seconds: 1, Next: 'Done' },
        Done: { Type: 'Succeed' },
      },
    };
    const dataPath = temporaryDatabasePath();
    const child = await ChildEngine.start(dataPath, lambdaEndpoint);
    const { stateMachineArn } = await child.dispatch('CreateStateMachine', {
      name: 'KilledRedrive',
      definition: JSON.stringify(definition),
      roleArn: 'arn:aws:iam::111111111111:role/test',
    });
    const { executionArn } = await child.dispatch('StartExecution', { stateMachineArn, name: 'order-7' });
    expect((await waitForStatus(child, String(executionArn))).status).toBe('FAILED');
    broken.delete('task');
    await child.dispatch('RedriveExecution', { executionArn });
    const deadline = Date.now() + 10_000;
    while (!(await childHistory(child, String(executionArn))).includes('WaitStateEntered')) {
      if (Date.now() > deadline) throw new Error('the redriven run never reached the Wait');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await child.kill();

    const engine = await createEngine({
      dataPath,
      lambdaEndpoint,
      region: 'us-east-1',
      accountId: '111111111111',
    });
    try {
      const done = await waitForStatus(engine, String(executionArn));
      expect(done).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
      const types = await historyTypes(engine, String(executionArn));
      expect(types.filter((type) => type === 'ExecutionRedriven')).toHaveLength(1);
      expect(types.filter((type) => type === 'TaskStateEntered')).toHaveLength(2);
      expect(types.filter((type) => type === 'WaitStateEntered')).toHaveLength(1);
      expect(types.filter((type) => type === 'PassStateEntered')).toHaveLength(1);
      expect(calls('task')).toBe(2);
      const history = await engine.dispatch('GetExecutionHistory', { executionArn, maxResults: 1000 });
      const ids = (history.events as { id: number }[]).map((event) => event.id);
      expect(ids).toEqual(ids.map((_id, index) => index + 1));
    } finally {
      broken.clear();
      await engine.close();
    }
  });
});

describe('a database written before redrive existed', () => {
  it('gains the redrive columns on open and reads its executions as never redriven', async () => {
    const dataPath = temporaryDatabasePath();
    const old = new Database(dataPath);
    old.exec(`CREATE TABLE executions (
      sequence INTEGER PRIMARY KEY AUTOINCREMENT, arn TEXT NOT NULL UNIQUE, state_machine_arn TEXT NOT NULL,
      name TEXT NOT NULL, status TEXT NOT NULL, input TEXT NOT NULL, output TEXT, error TEXT, cause TEXT,
      start_ms INTEGER NOT NULL, stop_ms INTEGER, definition TEXT NOT NULL, type TEXT NOT NULL,
      role_arn TEXT NOT NULL)`);
    const arn = 'arn:aws:states:us-east-1:111111111111:execution:Old:run';
    old
      .prepare(
        `INSERT INTO executions (arn, state_machine_arn, name, status, input, error, start_ms, stop_ms, definition,
         type, role_arn) VALUES (?, ?, 'run', 'FAILED', '{}', 'E', ?, ?, '{}', 'STANDARD', 'r')`,
      )
      .run(arn, 'arn:aws:states:us-east-1:111111111111:stateMachine:Old', Date.now() - 1000, Date.now());
    old.close();
    const engine = await createEngine({ dataPath });
    try {
      expect(await engine.dispatch('DescribeExecution', { executionArn: arn })).toMatchObject({
        status: 'FAILED',
        redriveCount: 0,
        // Its machine is gone, as AWS says of a machine being deleted.
        redriveStatus: 'NOT_REDRIVABLE',
        redriveStatusReason: 'State machine is in DELETING status',
      });
    } finally {
      await engine.close();
    }
  });
});

async function childHistory(child: ChildEngine, executionArn: string): Promise<string[]> {
  const history = await child.dispatch('GetExecutionHistory', { executionArn, maxResults: 1000 });
  return (history.events as { type: string }[]).map((event) => event.type);
}
