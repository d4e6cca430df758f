import { describe, expect, it } from 'vitest';
import type { ChoiceState, WaitState } from '../../../local/sfn/engine/asl';
import { choiceHandler } from '../../../local/sfn/engine/states/choice';
import { waitHandler } from '../../../local/sfn/engine/states/wait';
import { fakeEnvironment, runOf, stateOf } from './fake-environment';

const CHOICE = {
  Type: 'Choice',
  Choices: [
    { Variable: '$.n', NumericGreaterThan: 10, Next: 'Big' },
    { Variable: '$.n', NumericGreaterThan: 0, Next: 'Small' },
  ],
  Default: 'Zero',
};

describe('Choice', () => {
  it('takes the first rule that matches, else Default (JSONPath)', async () => {
    const { env } = fakeEnvironment();
    const state = stateOf<ChoiceState>(CHOICE);
    expect((await choiceHandler.run(runOf(state, { n: 20 }), env)).next).toBe('Big');
    expect((await choiceHandler.run(runOf(state, { n: 5 }), env)).next).toBe('Small');
    expect(await choiceHandler.run(runOf(state, { n: 0 }), env)).toEqual({ output: { n: 0 }, next: 'Zero' });
  });

  it('fails with States.NoChoiceMatched without a Default', async () => {
    const { env } = fakeEnvironment();
    const state = stateOf<ChoiceState>({ ...CHOICE, Default: undefined });
    // A handler that awaits nothing fails at once (no promise); either way the step fails with it.
    await expect(
      Promise.resolve().then(() => choiceHandler.run(runOf(state, { n: 0 }), env)),
    ).rejects.toMatchObject({
      error: 'States.NoChoiceMatched',
    });
  });

  it("uses a JSONata rule's own Output and Assign", async () => {
    const { env } = fakeEnvironment();
    const state = stateOf<ChoiceState>(
      {
        Type: 'Choice',
        Choices: [
          { Condition: '{% $states.input.ok %}', Next: 'Yes', Output: { via: 'rule' }, Assign: { a: 1 } },
        ],
        Default: 'No',
        Output: { via: 'state' },
      },
      'JSONata',
    );
    const run = runOf(state, { ok: true });
    expect(await choiceHandler.run(run, env)).toEqual({ output: { via: 'rule' }, next: 'Yes' });
    expect(run.pendingAssignments).toEqual({ a: 1 });
    expect(await choiceHandler.run(runOf(state, { ok: false }), env)).toEqual({
      output: { via: 'state' },
      next: 'No',
    });
  });

  it('refuses a JSONata Condition that is not a boolean with the unexpected-result-type error', async () => {
    const { env } = fakeEnvironment();
    const state = stateOf<ChoiceState>(
      { Type: 'Choice', Choices: [{ Condition: '{% $states.input.n %}', Next: 'Yes' }], Default: 'No' },
      'JSONata',
    );
    await expect(choiceHandler.run(runOf(state, { n: 3 }), env)).rejects.toMatchObject({
      error: 'States.QueryEvaluationError',
      causeText:
        "The JSONata expression '$states.input.n' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was 'number' for value: 3",
    });
  });
});

describe('Wait', () => {
  it('fixes the due time once in the journal and sleeps until it', async () => {
    const { env, journal, sleeps } = fakeEnvironment();
    const state = stateOf<WaitState>({ Type: 'Wait', Seconds: 30, Next: 'Done' });
    const before = Date.now();
    const result = await waitHandler.run(runOf(state, { a: 1 }), env);
    expect(result).toEqual({ output: { a: 1 }, next: 'Done' });
    const due = JSON.parse(journal.recall('Tested#0:due') ?? 'null') as number;
    expect(due).toBeGreaterThanOrEqual(before + 30_000);
    expect(sleeps).toEqual([due]);
    // A replay sleeps until the same time, however late it runs.
    await waitHandler.run(runOf(state, { a: 1 }), env);
    expect(sleeps).toEqual([due, due]);
  });

  it('reads SecondsPath and TimestampPath, with AWS wording when the value is wrong', async () => {
    const { env, sleeps } = fakeEnvironment();
    await waitHandler.run(
      runOf(stateOf<WaitState>({ Type: 'Wait', TimestampPath: '$.t', End: true }), {
        t: '2020-01-01T00:00:00Z',
      }),
      env,
    );
    expect(sleeps).toEqual([Date.parse('2020-01-01T00:00:00Z')]);
    const negative = stateOf<WaitState>({ Type: 'Wait', SecondsPath: '$.s', End: true });
    // Each visit has its own due time: a fresh environment per visit of the same state.
    await expect(waitHandler.run(runOf(negative, { s: -1 }), fakeEnvironment().env)).rejects.toMatchObject({
      causeText: 'The SecondsPath parameter references a negative value: $.s == -1',
    });
    await expect(waitHandler.run(runOf(negative, {}), fakeEnvironment().env)).rejects.toMatchObject({
      causeText: 'The SecondsPath parameter does not reference an input value: $.s',
    });
  });

  it('checks a JSONata Seconds expression is a non-negative integer', async () => {
    const { env } = fakeEnvironment();
    const state = stateOf<WaitState>(
      { Type: 'Wait', Seconds: '{% $states.input.s %}', End: true },
      'JSONata',
    );
    await expect(waitHandler.run(runOf(state, { s: 1.5 }), env)).rejects.toMatchObject({
      error: 'States.QueryEvaluationError',
      causeText: expect.stringContaining("Expected 'integer', but was 'number' for value: 1.5"),
    });
  });
});
