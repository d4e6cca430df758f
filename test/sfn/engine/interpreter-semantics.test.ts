import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../local/sfn/engine';
import type { StepFunctionsEngine } from '../../../local/sfn/service-api';
import { createMachine, historyTypes, waitForStatus } from './engine-test-kit';
import { FakeLambdaServer, pythonJson } from './fake-lambda-server';

const lambdaServer = new FakeLambdaServer();
let engine: StepFunctionsEngine;
let flakyCalls = 0;

beforeAll(async () => {
  await lambdaServer.start();
});

afterAll(async () => {
  await lambdaServer.stop();
});

beforeEach(async () => {
  flakyCalls = 0;
  const lambdaEndpoint = lambdaServer.endpointFor({
    echo: (event) => ({ body: pythonJson(event) }),
    flaky: () => {
      flakyCalls++;
      if (flakyCalls < 3) {
        return {
          functionError: true,
          body: JSON.stringify({ errorType: 'Busy', errorMessage: 'try later' }),
        };
      }
      return { body: JSON.stringify({ attempts: flakyCalls }) };
    },
  });
  engine = await createEngine({ dataPath: ':memory:', lambdaEndpoint });
});

afterEach(async () => {
  await engine.close();
});

async function run(definition: unknown, input: unknown = {}): Promise<Record<string, unknown>> {
  const machineArn = await createMachine(engine, `m${Math.random().toString(36).slice(2, 10)}`, definition);
  const { executionArn } = await engine.dispatch('StartExecution', {
    stateMachineArn: machineArn,
    input: JSON.stringify(input),
  });
  const described = await waitForStatus(engine, String(executionArn));
  return { ...described, history: await historyTypes(engine, String(executionArn)) };
}

function outputOf(described: Record<string, unknown>): unknown {
  return JSON.parse(String(described.output));
}

describe('variables', () => {
  it('lets every Assign expression of a state see the values from before the state', async () => {
    const result = await run({
      QueryLanguage: 'JSONata',
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Assign: { x: 1, y: 10 }, Next: 'Swap' },
        Swap: { Type: 'Pass', Assign: { x: '{% $y %}', y: '{% $x %}' }, Next: 'Show' },
        Show: { Type: 'Pass', Output: { x: '{% $x %}', y: '{% $y %}' }, End: true },
      },
    });
    expect(outputOf(result)).toEqual({ x: 10, y: 1 });
  });

  it('shows outer variables inside Map iterations but keeps iteration variables inside', async () => {
    const result = await run({
      QueryLanguage: 'JSONata',
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Assign: { factor: 3 }, Next: 'Each' },
        Each: {
          Type: 'Map',
          Items: '{% [1, 2, 3] %}',
          ItemProcessor: {
            StartAt: 'Scale',
            States: {
              Scale: { Type: 'Pass', Assign: { inner: '{% $states.input * $factor %}' }, Next: 'Report' },
              Report: { Type: 'Pass', Output: '{% $inner %}', End: true },
            },
          },
          Next: 'After',
        },
        After: {
          Type: 'Pass',
          Output: { results: '{% $states.input %}', innerVisible: '{% $exists($inner) %}' },
          End: true,
        },
      },
    });
    expect(outputOf(result)).toEqual({ results: [3, 6, 9], innerVisible: false });
  });

  it('reads variables as $name in JSONPath states', async () => {
    const result = await run(
      {
        StartAt: 'Init',
        States: {
          Init: { Type: 'Pass', Assign: { 'who.$': '$.name' }, Next: 'Use' },
          Use: { Type: 'Pass', Parameters: { 'hello.$': '$who' }, End: true },
        },
        QueryLanguage: 'JSONPath',
      },
      { name: 'Budi' },
    );
    expect(outputOf(result)).toEqual({ hello: 'Budi' });
  });
});

describe('errors, retries and catchers', () => {
  it('retries a failing Lambda with back-off and then succeeds', async () => {
    const started = Date.now();
    const result = await run({
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:us-east-1:000000000000:function:flaky',
          Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 1, BackoffRate: 1, MaxAttempts: 3 }],
          End: true,
        },
      },
    });
    expect(outputOf(result)).toEqual({ attempts: 3 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect((result.history as string[]).filter((type) => type === 'LambdaFunctionFailed')).toHaveLength(2);
  });

  it('does not let States.ALL catch a States.Runtime failure', async () => {
    const result = await run({
      StartAt: 'Broken',
      States: {
        Broken: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:us-east-1:000000000000:function:echo',
          OutputPath: '$.missing.path',
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    });
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('fails a state whose output passes 256 KiB of UTF-8 with States.DataLimitExceeded, and keeps one just under it whole', async () => {
    // 100,000 'é' are 100,000 UTF-16 units but 200,000 UTF-8 bytes: once under the limit, twice over it.
    const big = 'é'.repeat(100_000);
    const under = await run(
      { StartAt: 'Once', States: { Once: { Type: 'Pass', Parameters: { 'a.$': '$.big' }, End: true } } },
      { big },
    );
    expect(under.status).toBe('SUCCEEDED');
    expect(outputOf(under)).toEqual({ a: big });
    const { events } = await engine.dispatch('GetExecutionHistory', { executionArn: under.executionArn });
    const exited = (events as Record<string, { output?: string }>[]).find(
      (event) => event.stateExitedEventDetails,
    );
    expect(exited?.stateExitedEventDetails?.output).toBe(JSON.stringify({ a: big }));

    const over = await run(
      {
        StartAt: 'Twice',
        States: { Twice: { Type: 'Pass', Parameters: { 'a.$': '$.big', 'b.$': '$.big' }, End: true } },
      },
      { big },
    );
    expect(over).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(String(over.cause)).toContain("The state/task 'Twice' returned a result with a size exceeding");
  });

  it('fails a task on a resource it does not support, naming the resource', async () => {
    const result = await run({
      StartAt: 'Send',
      States: { Send: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', End: true } },
    });
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(String(result.cause)).toContain('arn:aws:states:::sqs:sendMessage');
  });

  it('reports a JSONata expression that returns nothing as States.QueryEvaluationError', async () => {
    const result = await run({
      QueryLanguage: 'JSONata',
      StartAt: 'Bad',
      States: { Bad: { Type: 'Pass', Output: { value: '{% $states.input.nope %}' }, End: true } },
    });
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'States.QueryEvaluationError',
      cause:
        "An error occurred while executing the state 'Bad' (entered at the event id #2). The JSONata expression '$states.input.nope' specified for the field 'Output/value' returned nothing (undefined).",
    });
    expect(result.history).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'EvaluationFailed',
      'ExecutionFailed',
    ]);
  });

  it('times the whole execution out with TimeoutSeconds', async () => {
    const result = await run({
      TimeoutSeconds: 1,
      StartAt: 'Pause',
      States: { Pause: { Type: 'Wait', Seconds: 30, End: true } },
    });
    expect(result.status).toBe('TIMED_OUT');
    expect((result.history as string[]).at(-1)).toBe('ExecutionTimedOut');
  });
});

describe('Map, Parallel and integrations', () => {
  it('limits a Map to MaxConcurrency and tolerates failures up to the threshold', async () => {
    const result = await run(
      {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            MaxConcurrency: 2,
            ToleratedFailureCount: 1,
            ItemSelector: { 'value.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index' },
            ItemProcessor: {
              StartAt: 'Check',
              States: {
                Check: {
                  Type: 'Choice',
                  Choices: [{ Variable: '$.value', NumericEquals: 2, Next: 'Boom' }],
                  Default: 'Ok',
                },
                Boom: { Type: 'Fail', Error: 'Two' },
                Ok: { Type: 'Pass', End: true },
              },
            },
            End: true,
          },
        },
      },
      [1, 2, 3],
    );
    expect(outputOf(result)).toEqual([{ value: 1, index: 0 }, null, { value: 3, index: 2 }]);
  });

  it('runs Parallel branches on the same input and collects their outputs in order', async () => {
    const result = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Both',
        States: {
          Both: {
            Type: 'Parallel',
            Branches: [
              {
                StartAt: 'Double',
                States: { Double: { Type: 'Pass', Output: '{% $states.input.n * 2 %}', End: true } },
              },
              {
                StartAt: 'Square',
                States: {
                  Square: { Type: 'Pass', Output: '{% $states.input.n * $states.input.n %}', End: true },
                },
              },
            ],
            End: true,
          },
        },
      },
      { n: 4 },
    );
    expect(outputOf(result)).toEqual([8, 16]);
  });

  it('aborts a Task whose failure leaves its Parallel branch, and records the caught Parallel failure as AWS does', async () => {
    const result = await run({
      QueryLanguage: 'JSONata',
      StartAt: 'Fan',
      States: {
        Fan: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'CallMissing',
              States: {
                CallMissing: {
                  Type: 'Task',
                  Resource: 'arn:aws:states:::lambda:invoke',
                  Arguments: { FunctionName: 'missingFunction', Payload: {} },
                  End: true,
                },
              },
            },
          ],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Fallback' }],
          End: true,
        },
        Fallback: { Type: 'Pass', Output: '{% $states.input.Error %}', End: true },
      },
    });
    expect(outputOf(result)).toBe('Lambda.ResourceNotFoundException');
    expect(result.history).toEqual([
      'ExecutionStarted',
      'ParallelStateEntered',
      'ParallelStateStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskStateAborted',
      'ParallelStateFailed',
      'ParallelStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('records events:putEvents entries and returns AWS-shaped entry ids', async () => {
    const result = await run({
      QueryLanguage: 'JSONata',
      StartAt: 'Publish',
      States: {
        Publish: {
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents',
          Arguments: {
            Entries: [{ Source: 'tenggat', DetailType: 'takedown.requested', Detail: { id: 'o-1' } }],
          },
          End: true,
        },
      },
    });
    expect(outputOf(result)).toMatchObject({
      FailedEntryCount: 0,
      Entries: [{ EventId: expect.any(String) }],
    });
    expect(engine.recordedEvents()).toEqual([
      expect.objectContaining({
        entry: { Source: 'tenggat', DetailType: 'takedown.requested', Detail: '{"id":"o-1"}' },
      }),
    ]);
  });

  it('waits until a JSONata Timestamp', async () => {
    const at = new Date(Date.now() + 1200).toISOString();
    const started = Date.now();
    const result = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Until',
        States: { Until: { Type: 'Wait', Timestamp: '{% $states.input.at %}', End: true } },
      },
      { at },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });
});
