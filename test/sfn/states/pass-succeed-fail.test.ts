import { describe, expect, it } from 'vitest';
import type { FailState, PassState, SucceedState } from '../../../local/sfn/engine/asl';
import { StateFailure } from '../../../local/sfn/engine/runner/failures';
import { failHandler } from '../../../local/sfn/engine/states/fail';
import { passHandler } from '../../../local/sfn/engine/states/pass';
import { succeedHandler } from '../../../local/sfn/engine/states/succeed';
import { fakeEnvironment, runOf, stateOf } from './fake-environment';

describe('Pass', () => {
  it('places Parameters at ResultPath and applies OutputPath (JSONPath)', async () => {
    const { env } = fakeEnvironment();
    const state = stateOf<PassState>({
      Type: 'Pass',
      InputPath: '$.order',
      Parameters: { 'id.$': '$.id', fixed: 1 },
      ResultPath: '$.picked',
      OutputPath: '$.picked',
      Next: 'Done',
    });
    const result = await passHandler.run(runOf(state, { order: { id: 'o-1' } }), env);
    expect(result).toEqual({ output: { id: 'o-1', fixed: 1 }, next: 'Done' });
  });

  it('lets Result replace Parameters but still evaluates them', async () => {
    const { env } = fakeEnvironment();
    const state = stateOf<PassState>({
      Type: 'Pass',
      Parameters: { 'x.$': '$.missing' },
      Result: 5,
      End: true,
    });
    await expect(Promise.resolve().then(() => passHandler.run(runOf(state, {}), env))).rejects.toThrow(
      /\$\.missing/,
    );
    const plain = stateOf<PassState>({ Type: 'Pass', Result: null, ResultPath: '$.r', End: true });
    expect(await passHandler.run(runOf(plain, { a: 1 }), env)).toEqual({
      output: { a: 1, r: null },
      next: null,
    });
  });

  it('evaluates JSONata Output and records Assign for the exit, not before', async () => {
    const { env } = fakeEnvironment();
    const state = stateOf<PassState>(
      {
        Type: 'Pass',
        Output: '{% $states.input.n + $seen %}',
        Assign: { seen: '{% $seen + 1 %}' },
        End: true,
      },
      'JSONata',
    );
    const run = runOf(state, { n: 10 }, { variables: { seen: 1 } });
    const result = await passHandler.run(run, env);
    expect(result.output).toBe(11);
    expect(run.pendingAssignments).toEqual({ seen: 2 });
    expect(run.strand.ownVariables).toEqual({ seen: 1 });
  });
});

describe('Succeed', () => {
  it('ends the strand with its input through InputPath and OutputPath', async () => {
    const { env } = fakeEnvironment();
    const state = stateOf<SucceedState>({ Type: 'Succeed', InputPath: '$.a', OutputPath: '$.b' });
    expect(await succeedHandler.run(runOf(state, { a: { b: 3 } }), env)).toEqual({ output: 3, next: null });
  });

  it('fails with States.Runtime when InputPath selects nothing', async () => {
    const { env } = fakeEnvironment();
    const state = stateOf<SucceedState>({ Type: 'Succeed', InputPath: '$.missing' });
    await expect(succeedHandler.run(runOf(state, {}), env)).rejects.toMatchObject({
      error: 'States.Runtime',
    });
  });
});

describe('Fail', () => {
  it('fails with its literal Error and Cause', async () => {
    const { env } = fakeEnvironment();
    const state = stateOf<FailState>({ Type: 'Fail', Error: 'Order.Rejected', Cause: 'late' });
    await expect(failHandler.run(runOf(state, {}), env)).rejects.toEqual(
      new StateFailure('Order.Rejected', 'late'),
    );
  });

  it('reads ErrorPath and an intrinsic CausePath from the input', async () => {
    const { env } = fakeEnvironment();
    const state = stateOf<FailState>({
      Type: 'Fail',
      ErrorPath: '$.code',
      CausePath: "States.Format('order {} failed', $.id)",
    });
    await expect(failHandler.run(runOf(state, { code: 'E1', id: 9 }), env)).rejects.toMatchObject({
      error: 'E1',
      causeText: 'order 9 failed',
    });
  });

  it('names the field when ErrorPath selects nothing', async () => {
    const { env } = fakeEnvironment();
    const state = stateOf<FailState>({ Type: 'Fail', ErrorPath: '$.nothing' });
    await expect(failHandler.run(runOf(state, {}), env)).rejects.toMatchObject({
      error: 'States.Runtime',
      causeText: expect.stringContaining('ErrorPath'),
    });
  });

  it('evaluates JSONata Error and Cause, turning non-strings into JSON text', async () => {
    const { env } = fakeEnvironment();
    const state = stateOf<FailState>(
      { Type: 'Fail', Error: '{% "E." & $states.input.kind %}', Cause: '{% $states.input %}' },
      'JSONata',
    );
    await expect(failHandler.run(runOf(state, { kind: 'x' }), env)).rejects.toMatchObject({
      error: 'E.x',
      causeText: '{"kind":"x"}',
    });
  });
});
