import { StatesError } from '../../errors';
import type { Template } from '../asl';
import { jsonataExpressionOf } from '../jsonata-evaluator';
import type { Journal } from './journal';
import { jsonTypeName, type StateRun } from './state-run';

/** A failure that already carries its final error name and cause (no "An error occurred..." prefix added). */
export class StateFailure extends Error {
  constructor(
    readonly error: string | undefined,
    readonly causeText: string | undefined,
  ) {
    super(`${error ?? ''}: ${causeText ?? ''}`);
    this.name = 'StateFailure';
  }
}

/**
 * Turns an evaluation error into the failure AWS reports, prefixed with the state and its entry event; a
 * JSONata evaluation error is also recorded as an `EvaluationFailed` event.
 */
export function asFailure(error: unknown, run: StateRun, journal: Journal): StateFailure {
  if (error instanceof StateFailure) return error;
  const where = `An error occurred while executing the state '${run.state.name}' (entered at the event id #${run.enteredEventId}). `;
  if (error instanceof StatesError) {
    const failure = new StateFailure(error.error, `${where}${error.causeText}`);
    if (error.error === 'States.QueryEvaluationError') {
      journal.emit(run.strand, 'EvaluationFailed', 'evaluationFailedEventDetails', {
        error: failure.error,
        cause: failure.causeText,
        state: run.state.name,
      });
    }
    return failure;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StateFailure('States.Runtime', `${where}${message}`);
}

/** The one "unexpected result type" failure of a JSONata expression. */
export function unexpectedResultType(
  field: string,
  template: Template,
  expected: string,
  value: unknown,
): StatesError {
  const expression =
    jsonataExpressionOf(template) ?? (typeof template === 'string' ? template : JSON.stringify(template));
  return new StatesError(
    'States.QueryEvaluationError',
    `The JSONata expression '${expression}' specified for the field '${field}' returned an unexpected result type. Expected '${expected}', but was '${jsonTypeName(value)}' for value: ${JSON.stringify(value)}`,
  );
}
