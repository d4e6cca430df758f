import type { ParallelState } from '../asl';
import { Cancellation } from '../cancellation';
import { StateFailure } from '../runner/failures';
import { newStrand, type StateRun } from '../runner/state-run';
import { withRetryAndCatch } from './retry-catch';
import type { StateEnvironment, StateHandler } from './state-handler';

async function runParallelAttempt(run: StateRun<ParallelState>, env: StateEnvironment, attempt: number) {
  const { state, strand } = run;
  const input = await run.language.taskArguments(run, run.contextObject);
  env.journal.emit(strand, 'ParallelStateStarted');
  const group = new Cancellation(strand.cancellation);
  // The first failing branch decides the error; the siblings it cancels end with ExecutionHalted.
  let firstFailure: StateFailure | undefined;
  try {
    const settled = await Promise.allSettled(
      state.branches.map(async (branch, index) => {
        const child = newStrand(`${run.stepKey}:a${attempt}:b${index}/`, group, strand);
        child.inParallelBranch = true;
        // A branch that succeeded before a restart or a redrive is not run again.
        const doneKey = `${child.keyPrefix}#end`;
        const done = env.journal.recall(doneKey);
        if (done !== undefined) return JSON.parse(done) as unknown;
        try {
          const output = await env.runGraph(branch, child, input);
          await env.journal.commit([[doneKey, JSON.stringify(output ?? null)]]);
          return output;
        } catch (error) {
          if (error instanceof StateFailure) {
            firstFailure ??= error;
            group.cancel('a sibling branch failed');
          }
          throw error;
        }
      }),
    );
    if (firstFailure) throw firstFailure;
    return settled.map((outcome) => {
      if (outcome.status === 'rejected') throw outcome.reason;
      return outcome.value;
    });
  } finally {
    group.dispose();
  }
}

/** Parallel: runs every branch on the same input; the output is the array of their outputs. */
export const parallelHandler: StateHandler<ParallelState> = {
  run: withRetryAndCatch(runParallelAttempt, { failedEventType: 'ParallelStateFailed' }),
};
