import type { StateDefinition } from '../asl';
import { ExecutionHalted } from '../cancellation';
import { errorMatches, retryDelayMs } from '../error-matching';
import { asFailure, type StateFailure } from '../runner/failures';
import type { StateResult, StateRun } from '../runner/state-run';
import type { StateEnvironment, StateHandler } from './state-handler';

type FallibleState = Extract<StateDefinition, { type: 'Task' | 'Parallel' | 'Map' }>;

/** One attempt of a Task, Parallel or Map: its result, or a thrown failure. */
export type Attempt<S extends FallibleState> = (
  run: StateRun<S>,
  env: StateEnvironment,
  attempt: number,
) => Promise<unknown>;

/** Errors that no Retry rule retries. */
const NOT_RETRIED = new Set(['States.Runtime', 'States.DataLimitExceeded']);

/** Sleeps before the next attempt if a Retry rule allows one; false when the failure stands. */
async function retryAllowed(
  run: StateRun<FallibleState>,
  env: StateEnvironment,
  failure: StateFailure,
  attempt: number,
  retryCounts: number[],
): Promise<boolean> {
  const errorName = failure.error ?? '';
  const retriers = run.state.retry;
  const retrierIndex = retriers.findIndex((retrier) => errorMatches(retrier.ErrorEquals, errorName));
  const retrier = retriers[retrierIndex];
  if (!retrier || NOT_RETRIED.has(errorName)) return false;
  const used = retryCounts[retrierIndex] ?? 0;
  if (used >= (retrier.MaxAttempts ?? 3)) return false;
  retryCounts[retrierIndex] = used + 1;
  const dueMs = await env.journal.remember(
    `${run.stepKey}:retry${attempt}`,
    () => Date.now() + retryDelayMs(retrier, used),
  );
  await env.journal.commit();
  await env.sleepUntil(dueMs, run.strand.cancellation);
  return true;
}

/** The first Catch rule that names the error decides the output and the next state; none: it is rethrown. */
async function catchFailure(run: StateRun<FallibleState>, failure: StateFailure): Promise<StateResult> {
  const errorName = failure.error ?? '';
  const catcher = run.state.catch.find((candidate) => errorMatches(candidate.errorEquals, errorName));
  if (!catcher) throw failure;
  const errorOutput = { Error: failure.error ?? '', Cause: failure.causeText ?? '' };
  // The failed attempt's own Assign never applies.
  run.pendingAssignments = undefined;
  return { output: await run.language.outputOfCatch(run, catcher, errorOutput), next: catcher.next };
}

/**
 * Runs `attempt` under the state's Retry and Catch rules. Map and Parallel (`failedEventType`) report their
 * failure once, after the last attempt; a States.Runtime error ends them at once without it.
 */
export function withRetryAndCatch<S extends FallibleState>(
  attemptOnce: Attempt<S>,
  options: { failedEventType?: string } = {},
): StateHandler<S>['run'] {
  return async (run, env) => {
    const retryCounts = run.state.retry.map(() => 0);
    for (let attempt = 0; ; attempt++) {
      let failure: StateFailure;
      try {
        const result = await attemptOnce(run, env, attempt);
        return { output: await run.language.outputOfResult(run, result), next: run.state.next };
      } catch (error) {
        if (error instanceof ExecutionHalted) throw error;
        failure = asFailure(error, run, env.journal);
      }
      if (await retryAllowed(run, env, failure, attempt, retryCounts)) continue;
      if (options.failedEventType && failure.error !== 'States.Runtime') {
        env.journal.emit(run.strand, options.failedEventType);
      }
      return catchFailure(run, failure);
    }
  };
}
