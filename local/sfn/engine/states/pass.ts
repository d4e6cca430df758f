import type { PassState } from '../asl';
import type { StateHandler } from './state-handler';

/** Pass: its Result / Parameters (JSONPath) placed by ResultPath, or its Output (JSONata). */
export const passHandler: StateHandler<PassState> = {
  async run(run) {
    const { language, state } = run;
    const result = language.passResult(run);
    const output =
      result === undefined
        ? await language.outputOfInput(run, language.stateInput(run), state)
        : await language.outputOfResult(run, result.value);
    return { output, next: state.next };
  },
};
