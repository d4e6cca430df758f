import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../local/sfn/engine';
import { createMachine, temporaryDatabasePath, waitForStatus, waitUntil } from './engine-test-kit';
import { FakeLambdaServer, pythonJson } from './fake-lambda-server';

/** Pass states grouped into fewer transactions must still be on disk before anything that follows is seen. */
const lambdaServer = new FakeLambdaServer();
let dataPath = '';
/** What another connection to the data file saw when the Lambda was called. */
const seenAtInvoke: string[][] = [];
let lambdaEndpoint = '';

/** The event types committed to the file, as a second connection reads them. */
function eventTypesOnDisk(): string[] {
  const db = new Database(dataPath, { readonly: true });
  try {
    return (db.prepare('SELECT type FROM history_events ORDER BY id').all() as { type: string }[]).map(
      (row) => row.type,
    );
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  await lambdaServer.start();
  lambdaEndpoint = lambdaServer.endpointFor({
    probe: (event) => {
      seenAtInvoke.push(eventTypesOnDisk());
      return { body: pythonJson(event) };
    },
  });
});

afterAll(async () => {
  await lambdaServer.stop();
});

function passChain(length: number, last: Record<string, unknown>) {
  const states: Record<string, unknown> = {};
  for (let index = 0; index < length; index++) {
    states[`P${index}`] = { Type: 'Pass', Result: index, ResultPath: '$.step', Next: `P${index + 1}` };
  }
  states[`P${length}`] = last;
  return { StartAt: 'P0', States: states };
}

describe('grouped commits of pure steps (SQLite file)', () => {
  it('has every Pass step of a chain on disk before the Task after it calls its Lambda', async () => {
    dataPath = temporaryDatabasePath();
    const engine = await createEngine({ dataPath, lambdaEndpoint });
    try {
      const definition = passChain(150, {
        Type: 'Task',
        Resource: 'arn:aws:lambda:us-east-1:111111111111:function:probe',
        End: true,
      });
      const stateMachineArn = await createMachine(engine, 'grouped-task', definition);
      const { executionArn } = await engine.dispatch('StartExecution', { stateMachineArn, input: '{}' });
      const described = await waitForStatus(engine, String(executionArn));
      expect(described.status).toBe('SUCCEEDED');
      const seen = seenAtInvoke.at(-1) ?? [];
      expect(seen.filter((type) => type === 'PassStateExited')).toHaveLength(150);
      expect(seen.at(-1)).toBe('LambdaFunctionStarted');
    } finally {
      await engine.close();
    }
  });

  it('writes the steps of a Pass chain before its ExecutionSucceeded, all visible to another reader', async () => {
    dataPath = temporaryDatabasePath();
    const engine = await createEngine({ dataPath });
    try {
      const stateMachineArn = await createMachine(engine, 'grouped-end', passChain(200, { Type: 'Succeed' }));
      const { executionArn } = await engine.dispatch('StartExecution', { stateMachineArn, input: '{}' });
      const described = await waitForStatus(engine, String(executionArn));
      expect(JSON.parse(String(described.output))).toEqual({ step: 199 });
      const onDisk = eventTypesOnDisk();
      expect(onDisk).toHaveLength(2 + 2 * 201);
      expect(onDisk.at(-1)).toBe('ExecutionSucceeded');
      const db = new Database(dataPath, { readonly: true });
      // A step's journal entry is on its last event's row (or, without events, in step_journal).
      const steps = db
        .prepare(
          `SELECT COUNT(*) AS n FROM (SELECT key FROM step_journal WHERE key LIKE 'P%#0'
           UNION ALL SELECT step_key FROM history_events WHERE step_key LIKE 'P%#0')`,
        )
        .get() as { n: number };
      db.close();
      expect(steps.n).toBe(201);
    } finally {
      await engine.close();
    }
  });
});

/** Calls `then` right after an execution's end is queued for its commit, before the commit runs. */
function whenAnEndIsQueued(engine: object, then: () => void): void {
  const commits = (engine as { commits: { enqueue: (work: object) => unknown } }).commits;
  const enqueue = commits.enqueue.bind(commits);
  commits.enqueue = (work) => {
    const queued = enqueue(work);
    if (work.constructor.name === 'EndWrite') then();
    return queued;
  };
}

describe('the ends of executions (SQLite file)', () => {
  it('commits the ends of executions that finish together in one transaction with their last steps', async () => {
    dataPath = temporaryDatabasePath();
    const engine = await createEngine({ dataPath });
    const commits: number[] = [];
    const db = (engine as unknown as { store: { db: Database.Database } }).store.db;
    const transaction = db.transaction.bind(db);
    // Counts the outermost transactions that write an ExecutionSucceeded (nested ones are their savepoints).
    const succeeded = () =>
      (
        db.prepare("SELECT COUNT(*) AS n FROM history_events WHERE type = 'ExecutionSucceeded'").get() as {
          n: number;
        }
      ).n;
    let depth = 0;
    db.transaction = ((work: (...args: unknown[]) => unknown) =>
      transaction((...args: unknown[]) => {
        const before = depth === 0 ? succeeded() : 0;
        depth++;
        try {
          return work(...args);
        } finally {
          depth--;
          if (depth === 0 && succeeded() > before) commits.push(succeeded() - before);
        }
      })) as typeof db.transaction;
    try {
      const stateMachineArn = await createMachine(
        engine,
        'ends-together',
        passChain(100, { Type: 'Succeed' }),
      );
      const arns: string[] = [];
      for (let index = 0; index < 20; index++) {
        const started = await engine.dispatch('StartExecution', { stateMachineArn, input: '{}' });
        arns.push(String(started.executionArn));
      }
      for (const arn of arns) expect((await waitForStatus(engine, arn)).status).toBe('SUCCEEDED');
      expect(eventTypesOnDisk().filter((type) => type === 'ExecutionSucceeded')).toHaveLength(20);
      // Far fewer transactions with ends in them than executions (one each before).
      expect(commits.reduce((sum, ends) => sum + ends, 0)).toBe(20);
      expect(commits.length).toBeLessThanOrEqual(4);
    } finally {
      await engine.close();
    }
  });

  it('ends an execution FAILED, on disk, when the transaction holding its success could not be written', async () => {
    dataPath = temporaryDatabasePath();
    const engine = await createEngine({ dataPath });
    const store = (
      engine as unknown as { store: { insertEvents: (arn: string, events: { type: string }[]) => void } }
    ).store;
    const insertEvents = store.insertEvents.bind(store);
    store.insertEvents = (arn, events) => {
      if (events.some((event) => event.type === 'ExecutionSucceeded')) throw new Error('disk I/O error');
      insertEvents(arn, events);
    };
    try {
      const stateMachineArn = await createMachine(
        engine,
        'end-not-written',
        passChain(3, { Type: 'Succeed' }),
      );
      const { executionArn } = await engine.dispatch('StartExecution', { stateMachineArn, input: '{}' });
      const described = await waitForStatus(engine, String(executionArn));
      expect(described).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: 'disk I/O error' });
      expect(eventTypesOnDisk().at(-1)).toBe('ExecutionFailed');
    } finally {
      await engine.close();
    }
  });

  it('loses nothing and ends the execution once when the engine closes while its end waits for the commit', async () => {
    dataPath = temporaryDatabasePath();
    const engine = await createEngine({ dataPath });
    let closing: Promise<void> | undefined;
    whenAnEndIsQueued(engine, () => {
      closing ??= engine.close();
    });
    const stateMachineArn = await createMachine(engine, 'close-at-end', passChain(2, { Type: 'Succeed' }));
    const { executionArn } = await engine.dispatch('StartExecution', { stateMachineArn, input: '{}' });
    await waitUntil(() => closing !== undefined);
    await closing;
    const reopened = await createEngine({ dataPath });
    try {
      const described = await waitForStatus(reopened, String(executionArn));
      expect(described.status).toBe('SUCCEEDED');
      expect(eventTypesOnDisk().filter((type) => type === 'ExecutionSucceeded')).toHaveLength(1);
    } finally {
      await reopened.close();
    }
  });

  it('answers a StopExecution that comes while the end waits for its commit with that end', async () => {
    dataPath = temporaryDatabasePath();
    const engine = await createEngine({ dataPath });
    const store = (engine as unknown as { store: { finishExecution: (row: unknown) => boolean } }).store;
    let stopped: Promise<Record<string, unknown>> | undefined;
    let executionArn = '';
    // The execution's end is queued, not yet written: a StopExecution arrives now.
    whenAnEndIsQueued(engine, () => {
      stopped ??= engine.dispatch('StopExecution', { executionArn });
    });
    const finishExecution = store.finishExecution.bind(store);
    let ends = 0;
    store.finishExecution = (row) => {
      ends++;
      return finishExecution(row);
    };
    try {
      const stateMachineArn = await createMachine(engine, 'stop-at-end', passChain(2, { Type: 'Succeed' }));
      executionArn = String(
        (await engine.dispatch('StartExecution', { stateMachineArn, input: '{}' })).executionArn,
      );
      const described = await waitForStatus(engine, executionArn);
      expect(described.status).toBe('SUCCEEDED');
      expect(stopped).toBeDefined();
      expect((await stopped)?.stopDate).toEqual(described.stopDate);
      expect(eventTypesOnDisk()).not.toContain('ExecutionAborted');
      expect(ends).toBe(1);
    } finally {
      await engine.close();
    }
  });
});

/** The journal keys committed to the file, as a second connection reads them. */
function journalKeysOnDisk(): string[] {
  const db = new Database(dataPath, { readonly: true });
  try {
    const rows = db
      .prepare(
        'SELECT key FROM step_journal UNION ALL SELECT step_key FROM history_events WHERE step_key IS NOT NULL ORDER BY 1',
      )
      .all() as { key: string }[];
    return rows.map((row) => row.key);
  } finally {
    db.close();
  }
}

describe('callback Tasks whose answer comes before the invoke returns (SQLite file)', () => {
  it('has the answered Task, its outcome and its step on disk before the next Task calls its Lambda', async () => {
    dataPath = temporaryDatabasePath();
    const seen: { events: string[]; keys: string[] }[] = [];
    let engine: Awaited<ReturnType<typeof createEngine>> | undefined;
    const endpoint = lambdaServer.endpointFor({
      callback: (event) => {
        seen.push({ events: eventTypesOnDisk(), keys: journalKeysOnDisk() });
        const { token } = event as { token: string };
        // Answered while the invoke is still in flight, as a fast worker does.
        setImmediate(() => void engine?.dispatch('SendTaskSuccess', { taskToken: token, output: '{}' }));
        return { body: '{}' };
      },
    });
    engine = await createEngine({ dataPath, lambdaEndpoint: endpoint });
    try {
      const task = (next: Record<string, unknown>) => ({
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: 'callback', Payload: { 'token.$': '$$.Task.Token' } },
        ResultPath: null,
        ...next,
      });
      const stateMachineArn = await createMachine(engine, 'grouped-callbacks', {
        StartAt: 'T0',
        States: { T0: task({ Next: 'T1' }), T1: task({ End: true }) },
      });
      const { executionArn } = await engine.dispatch('StartExecution', { stateMachineArn, input: '{}' });
      const described = await waitForStatus(engine, String(executionArn));
      expect(described.status).toBe('SUCCEEDED');
      expect(seen).toHaveLength(2);
      const atSecond = seen[1] as { events: string[]; keys: string[] };
      expect(atSecond.events.slice(0, atSecond.events.indexOf('TaskStateExited') + 1)).toEqual([
        'ExecutionStarted',
        'TaskStateEntered',
        'TaskScheduled',
        'TaskStarted',
        'TaskSubmitted',
        'TaskSucceeded',
        'TaskStateExited',
      ]);
      expect(atSecond.events.slice(-3)).toEqual(['TaskStateEntered', 'TaskScheduled', 'TaskStarted']);
      expect(atSecond.keys).toEqual(expect.arrayContaining(['T0#0', 'T0#0:a0:submitted', 'T0#0:a0:outcome']));
      const atEnd = eventTypesOnDisk();
      expect(atEnd.filter((type) => type === 'TaskSubmitted')).toHaveLength(2);
      expect(atEnd.at(-1)).toBe('ExecutionSucceeded');
    } finally {
      await engine.close();
    }
  });
});

describe('a strand that never waits (in memory)', () => {
  it('still lets StopExecution in: an endless Pass loop is aborted', async () => {
    const engine = await createEngine({ dataPath: ':memory:' });
    try {
      const stateMachineArn = await createMachine(engine, 'endless', {
        StartAt: 'Loop',
        States: {
          Loop: { Type: 'Pass', Next: 'Check' },
          Check: {
            Type: 'Choice',
            Choices: [{ Variable: '$.never', IsPresent: true, Next: 'Done' }],
            Default: 'Loop',
          },
          Done: { Type: 'Succeed' },
        },
      });
      const { executionArn } = await engine.dispatch('StartExecution', { stateMachineArn, input: '{}' });
      // A timer fires only if the loop gives the event loop a turn.
      await new Promise((resolve) => setTimeout(resolve, 30));
      await engine.dispatch('StopExecution', { executionArn });
      const described = await waitForStatus(engine, String(executionArn));
      expect(described.status).toBe('ABORTED');
    } finally {
      await engine.close();
    }
  });
});
