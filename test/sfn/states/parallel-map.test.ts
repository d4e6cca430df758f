import { describe, expect, it } from 'vitest';
import type { MapState, ParallelState } from '../../../local/sfn/engine/asl';
import { StateFailure } from '../../../local/sfn/engine/runner/failures';
import { mapHandler } from '../../../local/sfn/engine/states/map';
import { parallelHandler } from '../../../local/sfn/engine/states/parallel';
import { fakeEnvironment, runOf, stateOf } from './fake-environment';

const BRANCH = { StartAt: 'B', States: { B: { Type: 'Succeed' } } };

describe('Parallel', () => {
  it('runs every branch on the same input and outputs their results in order', async () => {
    const { env, journal } = fakeEnvironment({
      runGraph: async (_graph, strand, input) => `${strand.keyPrefix}:${JSON.stringify(input)}`,
    });
    const state = stateOf<ParallelState>({ Type: 'Parallel', Branches: [BRANCH, BRANCH], End: true });
    const result = await parallelHandler.run(runOf(state, { a: 1 }), env);
    expect(result.output).toEqual(['Tested#0:a0:b0/:{"a":1}', 'Tested#0:a0:b1/:{"a":1}']);
    expect(journal.types()).toEqual(['ParallelStateStarted']);
  });

  it('fails once with the first failing branch, which a Catch can take', async () => {
    const { env, journal } = fakeEnvironment({
      runGraph: async (_graph, strand) => {
        if (strand.keyPrefix.endsWith('b1/')) throw new StateFailure('Branch.Failed', 'second');
        return 'ok';
      },
    });
    const state = stateOf<ParallelState>({
      Type: 'Parallel',
      Branches: [BRANCH, BRANCH],
      Catch: [{ ErrorEquals: ['Branch.Failed'], Next: 'Done' }],
      End: true,
    });
    const result = await parallelHandler.run(runOf(state, {}), env);
    expect(result).toEqual({ output: { Error: 'Branch.Failed', Cause: 'second' }, next: 'Done' });
    expect(journal.types()).toEqual(['ParallelStateStarted', 'ParallelStateFailed']);
  });
});

describe('Map', () => {
  it('runs each item through ItemSelector with $$.Map.Item, at most MaxConcurrency at once', async () => {
    let running = 0;
    let peak = 0;
    const { env, journal } = fakeEnvironment({
      runGraph: async (_graph, _strand, input) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        return input;
      },
    });
    const state = stateOf<MapState>({
      Type: 'Map',
      ItemsPath: '$.items',
      ItemSelector: { 'value.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', 'tag.$': '$.tag' },
      MaxConcurrency: 2,
      ItemProcessor: BRANCH,
      End: true,
    });
    const result = await mapHandler.run(runOf(state, { items: ['a', 'b', 'c'], tag: 't' }), env);
    expect(result.output).toEqual([
      { value: 'a', index: 0, tag: 't' },
      { value: 'b', index: 1, tag: 't' },
      { value: 'c', index: 2, tag: 't' },
    ]);
    expect(peak).toBe(2);
    expect(journal.types().filter((type) => type === 'MapIterationSucceeded')).toHaveLength(3);
    expect(journal.types().at(-1)).toBe('MapStateSucceeded');
  });

  it('tolerates ToleratedFailureCount failures and then fails with the threshold error', async () => {
    const failing = (failOn: number[]) =>
      fakeEnvironment({
        runGraph: async (_graph, strand, input) => {
          if (failOn.includes(strand.mapItem?.Index ?? -1)) throw new StateFailure('Item.Failed', '');
          return input;
        },
      });
    const state = stateOf<MapState>({
      Type: 'Map',
      ToleratedFailureCount: 1,
      ItemProcessor: BRANCH,
      End: true,
    });
    const tolerated = failing([1]);
    expect((await mapHandler.run(runOf(state, [1, 2, 3]), tolerated.env)).output).toEqual([1, null, 3]);
    const exceeded = failing([0, 1]);
    await expect(mapHandler.run(runOf(state, [1, 2, 3]), exceeded.env)).rejects.toMatchObject({
      error: 'States.ExceedToleratedFailureThreshold',
    });
    expect(exceeded.journal.types()).toContain('MapStateFailed');
  });

  it('refuses JSONata Items that are not an array', async () => {
    const { env, journal } = fakeEnvironment();
    const state = stateOf<MapState>(
      { Type: 'Map', Items: '{% $states.input.items %}', ItemProcessor: BRANCH, End: true },
      'JSONata',
    );
    await expect(mapHandler.run(runOf(state, { items: 'nope' }), env)).rejects.toMatchObject({
      error: 'States.QueryEvaluationError',
      causeText: expect.stringContaining(
        "specified for the field 'Items' returned an unexpected result type",
      ),
    });
    expect(journal.types()).toEqual(['EvaluationFailed', 'MapStateFailed']);
  });
});
