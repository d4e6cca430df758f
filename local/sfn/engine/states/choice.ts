import type { ChoiceRule, ChoiceState } from '../asl';
import { StateFailure } from '../runner/failures';
import type { Maybe, StateResult, StateRun } from '../runner/state-run';
import type { StateHandler } from './state-handler';

/** The matched rule's Output and Assign, else the state's (a rule may carry its own in JSONata). */
function leave(
  run: StateRun<ChoiceState>,
  rule: ChoiceRule | undefined,
  next: string,
  stateInput: unknown,
): Maybe<StateResult> {
  const { state } = run;
  const fields = { output: rule?.output ?? state.output, assign: rule?.assign ?? state.assign };
  const output = run.language.outputOfInput(run, stateInput, fields);
  if (output instanceof Promise) return output.then((value) => ({ output: value, next }));
  return { output, next };
}

function noRuleMatched(run: StateRun<ChoiceState>, stateInput: unknown): Maybe<StateResult> {
  const fallback = run.state.default;
  if (fallback !== undefined) return leave(run, undefined, fallback, stateInput);
  throw new StateFailure('States.NoChoiceMatched', 'No Matches!');
}

/** From rule `from` on, once a rule's evaluation had to be awaited (JSONata). */
async function matchFrom(
  run: StateRun<ChoiceState>,
  from: number,
  stateInput: unknown,
): Promise<StateResult> {
  const { choices } = run.state;
  for (let index = from; index < choices.length; index++) {
    const rule = choices[index] as ChoiceRule;
    if (await run.language.choiceMatches(run, rule, index, stateInput)) {
      return leave(run, rule, rule.next, stateInput);
    }
  }
  return noRuleMatched(run, stateInput);
}

/** Choice: the first rule that matches names the next state, else Default, else States.NoChoiceMatched. */
export const choiceHandler: StateHandler<ChoiceState> = {
  run(run) {
    const { language, state } = run;
    const stateInput = language.stateInput(run);
    const { choices } = state;
    for (let index = 0; index < choices.length; index++) {
      const rule = choices[index] as ChoiceRule;
      const matched = language.choiceMatches(run, rule, index, stateInput);
      if (matched instanceof Promise) {
        return matched.then((yes) =>
          yes ? leave(run, rule, rule.next, stateInput) : matchFrom(run, index + 1, stateInput),
        );
      }
      if (matched) return leave(run, rule, rule.next, stateInput);
    }
    return noRuleMatched(run, stateInput);
  },
};
