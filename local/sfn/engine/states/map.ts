import { StatesError } from '../../errors';
import type { MapState } from '../asl';
import { Cancellation, ExecutionHalted } from '../cancellation';
import { StateFailure } from '../runner/failures';
import { type FieldRule, readField } from '../runner/field-reader';
import { newStrand, type StateRun } from '../runner/state-run';
import { withRetryAndCatch } from './retry-catch';
import type { StateEnvironment, StateHandler } from './state-handler';

/** MaxConcurrency: 0 (no limit) when an expression gives no number; a path may give a digit string. */
const MAX_CONCURRENCY_RULE: FieldRule<number> = {
  field: 'MaxConcurrency',
  fromExpression: (value) => (typeof value === 'number' ? value : 0),
  fromPath(raw, path) {
    const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      const shown = typeof raw === 'string' ? raw : JSON.stringify(raw);
      throw new StatesError(
        'States.Runtime',
        `The MaxConcurrencyPath field refers to value "${shown}" which is not a valid integer: ${path}`,
      );
    }
    return value;
  },
};

function toleranceRule(field: string): FieldRule<number> {
  const numberOrNone = (value: unknown) => (typeof value === 'number' ? value : undefined);
  return { field, fromExpression: numberOrNone, fromPath: numberOrNone };
}
const TOLERATED_COUNT_RULE = toleranceRule('ToleratedFailureCount');
const TOLERATED_PERCENTAGE_RULE = toleranceRule('ToleratedFailurePercentage');

/** How many failed iterations the Map tolerates; -1: none. */
async function toleratedFailures(run: StateRun<MapState>, total: number): Promise<number> {
  const count = await readField(run, run.state.toleratedFailureCount, TOLERATED_COUNT_RULE);
  const percentage = await readField(run, run.state.toleratedFailurePercentage, TOLERATED_PERCENTAGE_RULE);
  let tolerated = -1;
  if (count !== undefined) tolerated = Math.max(tolerated, count);
  if (percentage !== undefined) tolerated = Math.max(tolerated, Math.floor((percentage / 100) * total));
  return tolerated;
}

/** The items, the input of each iteration (ItemSelector with `$$.Map.Item`), and the limits. */
async function prepareMap(run: StateRun<MapState>) {
  const { language, state } = run;
  const stateInput = language.stateInput(run);
  const items = await language.mapItems(run, stateInput);
  const maxConcurrency = (await readField(run, state.maxConcurrency, MAX_CONCURRENCY_RULE)) ?? 0;
  const tolerated = await toleratedFailures(run, items.length);
  const inputs: unknown[] = [];
  for (const [index, item] of items.entries()) {
    if (state.itemSelector === undefined) {
      inputs.push(item);
      continue;
    }
    const contextObject = { ...run.contextObject, Map: { Item: { Index: index, Value: item } } };
    inputs.push(
      await language.evaluate(run, state.itemSelector, 'ItemSelector', { input: stateInput, contextObject }),
    );
  }
  return { items, inputs, maxConcurrency, tolerated };
}

async function runMapAttempt(run: StateRun<MapState>, env: StateEnvironment, attempt: number) {
  const { state, strand } = run;
  const journal = env.journal;
  const { items, inputs, maxConcurrency, tolerated } = await prepareMap(run);
  journal.emit(strand, 'MapStateStarted', 'mapStateStartedEventDetails', { length: items.length });
  const group = new Cancellation(strand.cancellation);
  const results: unknown[] = new Array(items.length).fill(null);
  let failures = 0;
  let firstFailure: StateFailure | undefined;
  let nextIndex = 0;
  const name = state.name;
  const runIteration = async (index: number) => {
    const child = newStrand(`${run.stepKey}:a${attempt}:i${index}/`, group, strand);
    child.mapItem = { Index: index, Value: items[index] };
    // An iteration that succeeded before a restart or a redrive is not run again.
    const doneKey = `${child.keyPrefix}#end`;
    const done = journal.recall(doneKey);
    if (done !== undefined) {
      results[index] = JSON.parse(done) as unknown;
      return;
    }
    journal.emit(child, 'MapIterationStarted', 'mapIterationStartedEventDetails', { name, index });
    try {
      const output = await env.runGraph(state.itemProcessor, child, inputs[index]);
      results[index] = output;
      journal.emit(child, 'MapIterationSucceeded', 'mapIterationSucceededEventDetails', { name, index });
      await journal.commit([[doneKey, JSON.stringify(output ?? null)]]);
    } catch (error) {
      if (error instanceof ExecutionHalted && !journal.ended) {
        journal.emit(child, 'MapIterationAborted', 'mapIterationAbortedEventDetails', { name, index });
      }
      if (!(error instanceof StateFailure)) throw error;
      journal.emit(child, 'MapIterationFailed', 'mapIterationFailedEventDetails', { name, index });
      failures++;
      if (failures > tolerated) {
        firstFailure ??= error;
        group.cancel('map failed');
      }
    }
  };
  const worker = async () => {
    while (!group.cancelled && nextIndex < items.length) await runIteration(nextIndex++);
  };
  const workerCount = maxConcurrency > 0 ? Math.min(maxConcurrency, items.length) : items.length;
  try {
    await Promise.all(Array.from({ length: workerCount }, worker));
  } catch (error) {
    if (!(error instanceof ExecutionHalted) || strand.cancellation.cancelled) throw error;
  } finally {
    group.dispose();
  }
  if (firstFailure) {
    if (tolerated >= 0) {
      throw new StateFailure(
        'States.ExceedToleratedFailureThreshold',
        'The specified tolerated failure threshold was exceeded',
      );
    }
    throw firstFailure;
  }
  journal.emit(strand, 'MapStateSucceeded');
  return results;
}

/** Map: runs its item processor once per item, at most MaxConcurrency at a time. */
export const mapHandler: StateHandler<MapState> = {
  run: withRetryAndCatch(runMapAttempt, { failedEventType: 'MapStateFailed' }),
};
