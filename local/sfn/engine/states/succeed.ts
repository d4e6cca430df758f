import type { SucceedState } from '../asl';
import type { StateHandler } from './state-handler';

/** Succeed: ends its strand with its input, through InputPath and OutputPath (or Output). */
export const succeedHandler: StateHandler<SucceedState> = {
  async run(run) {
    const { language, state } = run;
    return { output: await language.outputOfInput(run, language.stateInput(run), state), next: null };
  },
};
