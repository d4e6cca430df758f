import type { ChoiceRule, ChoiceState } from '../asl';
import { StateFailure } from '../runner/failures';
import type { StateResult, StateRun } from '../runner/state-run';
import type { StateHandler } from './state-handler';

/** The matched rule's Output and Assign, else the state's (a rule may carry its own in JSONata). */
async function leave(
  run: StateRun<ChoiceState>,
  rule: ChoiceRule | undefined,
  next: string,
  stateInput: unknown,
): Promise<StateResult> {
  const { state } = run;
  const fields = { output: rule?.output ?? state.output, assign: rule?.assign ?? state.assign };
  return { output: await run.language.outputOfInput(run, stateInput, fields), next };
}

/** Choice: the first rule that matches names the next state, else Default, else States.NoChoiceMatched. */
export const choiceHandler: StateHandler<ChoiceState> = {
  async run(run) {
    const { language, state } = run;
    const stateInput = language.stateInput(run);
    for (const [index, rule] of state.choices.entries()) {
      if (await language.choiceMatches(run, rule, index, stateInput)) {
        return leave(run, rule, rule.next, stateInput);
      }
    }
    if (state.default !== undefined) return leave(run, undefined, state.default, stateInput);
    throw new StateFailure('States.NoChoiceMatched', 'No Matches!');
  },
};
