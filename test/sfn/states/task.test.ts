import { describe, expect, it } from 'vitest';
import type { TaskState } from '../../../local/sfn/engine/asl';
import { taskHandler } from '../../../local/sfn/engine/states/task';
import { fakeEnvironment, runOf, stateOf } from './fake-environment';

const INVOKE = 'arn:aws:states:::lambda:invoke';

describe('Task', () => {
  it('invokes its resource with Parameters and records the Task events', async () => {
    const { env, journal, invoked } = fakeEnvironment({ invoke: async () => ({ result: { ok: true } }) });
    const state = stateOf<TaskState>({
      Type: 'Task',
      Resource: INVOKE,
      Parameters: { FunctionName: 'f', 'Payload.$': '$' },
      ResultSelector: { 'ok.$': '$.ok' },
      ResultPath: '$.result',
      Next: 'Done',
    });
    const result = await taskHandler.run(runOf(state, { id: 1 }), env);
    expect(result).toEqual({ output: { id: 1, result: { ok: true } }, next: 'Done' });
    expect(invoked).toEqual([{ FunctionName: 'f', Payload: { id: 1 } }]);
    expect(journal.types()).toEqual(['TaskScheduled', 'TaskStarted', 'TaskSucceeded']);
    expect(journal.events[0]?.details).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
      region: 'us-east-1',
    });
  });

  it('retries a matching error with its back-off, then catches it with the error as output', async () => {
    const { env, journal, sleeps } = fakeEnvironment({
      invoke: async () => ({ error: 'Boom', cause: 'bad day' }),
    });
    const state = stateOf<TaskState>({
      Type: 'Task',
      Resource: INVOKE,
      Retry: [{ ErrorEquals: ['Boom'], MaxAttempts: 2, IntervalSeconds: 1, BackoffRate: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Recover' }],
      End: true,
    });
    const before = Date.now();
    const result = await taskHandler.run(runOf(state, { id: 1 }), env);
    expect(result).toEqual({
      output: { id: 1, error: { Error: 'Boom', Cause: 'bad day' } },
      next: 'Recover',
    });
    expect(journal.types().filter((type) => type === 'TaskFailed')).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    expect((sleeps[1] ?? 0) - before).toBeGreaterThanOrEqual(2000);
  });

  it('rethrows an uncaught failure and aborts the Parallel branch it ends', async () => {
    const { env, journal } = fakeEnvironment({ invoke: async () => ({ error: 'Boom', cause: '' }) });
    const state = stateOf<TaskState>({ Type: 'Task', Resource: INVOKE, End: true });
    const run = runOf(state, {});
    await expect(taskHandler.run(run, env)).rejects.toMatchObject({ error: 'Boom' });
    run.strand.inParallelBranch = true;
    taskHandler.onUncaughtFailure?.(run, env);
    expect(journal.types()).toEqual(['TaskScheduled', 'TaskStarted', 'TaskFailed', 'TaskStateAborted']);
  });

  it('gives a JSONata Task an empty object without Arguments and $states.result to Output', async () => {
    const { env, invoked } = fakeEnvironment({ invoke: async () => ({ result: 4 }) });
    const state = stateOf<TaskState>(
      { Type: 'Task', Resource: INVOKE, Output: '{% $states.result * 2 %}', End: true },
      'JSONata',
    );
    expect(await taskHandler.run(runOf(state, { ignored: true }), env)).toEqual({ output: 8, next: null });
    expect(invoked).toEqual([{}]);
  });

  it('refuses a TimeoutSecondsPath that is not a positive integer', async () => {
    const { env } = fakeEnvironment();
    const state = stateOf<TaskState>({
      Type: 'Task',
      Resource: INVOKE,
      TimeoutSecondsPath: '$.t',
      End: true,
    });
    await expect(taskHandler.run(runOf(state, { t: 0 }), env)).rejects.toMatchObject({
      error: 'States.Runtime',
      causeText: expect.stringContaining(
        'The TimeoutSecondsPath field refers to value "0" which is not a valid positive integer: $.t',
      ),
    });
  });

  it('replays a committed outcome instead of invoking again', async () => {
    const { env, journal, invoked } = fakeEnvironment();
    journal.entries.set('Tested#0:a0:outcome', JSON.stringify({ result: 'from before' }));
    const state = stateOf<TaskState>({ Type: 'Task', Resource: INVOKE, End: true });
    expect(await taskHandler.run(runOf(state, {}), env)).toEqual({ output: 'from before', next: null });
    expect(invoked).toEqual([]);
  });
});
