import type { PassState } from '../asl';
import type { Maybe, StateResult } from '../runner/state-run';
import type { StateHandler } from './state-handler';

/** Pass: its Result / Parameters (JSONPath) placed by ResultPath, or its Output (JSONata). */
export const passHandler: StateHandler<PassState> = {
  run(run): Maybe<StateResult> {
    const { language, state } = run;
    const result = language.passResult(run);
    const output =
      result === undefined
        ? language.outputOfInput(run, language.stateInput(run), state)
        : language.outputOfResult(run, result.value);
    if (output instanceof Promise) return output.then((value) => ({ output: value, next: state.next }));
    return { output, next: state.next };
  },
};
