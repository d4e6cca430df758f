import { StatesError } from '../../errors';
import type { FailState } from '../asl';
import { fieldPathNotFoundCause, PathNotFoundError, UndefinedVariableError } from '../jsonpath-bridge';
import { StateFailure } from '../runner/failures';
import { type FieldRule, readField } from '../runner/field-reader';
import type { StateHandler } from './state-handler';

/** Error / ErrorPath and Cause / CausePath: any value; a path that selects nothing fails the state. */
function failFieldRule(field: 'Error' | 'Cause'): FieldRule<unknown> {
  return {
    field,
    fromExpression: (value) => value,
    fromPath: (value) => value,
    intrinsics: true,
    missingPath(path, error, input) {
      if (error instanceof PathNotFoundError || error instanceof UndefinedVariableError) {
        return new StatesError('States.Runtime', fieldPathNotFoundCause(path, `${field}Path`, input));
      }
      return error instanceof Error ? error : new Error(String(error));
    },
  };
}

const ERROR_RULE = failFieldRule('Error');
const CAUSE_RULE = failFieldRule('Cause');

function asText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Fail: ends its strand with the state's error and cause. */
export const failHandler: StateHandler<FailState> = {
  async run(run) {
    const error = await readField(run, run.state.error, ERROR_RULE);
    const cause = await readField(run, run.state.cause, CAUSE_RULE);
    throw new StateFailure(asText(error), asText(cause));
  },
};
