/**
 * A runtime error inside an execution, named the way AWS names it (`States.Runtime`,
 * `States.QueryEvaluationError`, `States.IntrinsicFailure`, a Lambda `errorType`, ...).
 * Retry and Catch match on `error`; `cause` is the human-readable text AWS puts in the history.
 */
export class StatesError extends Error {
  constructor(
    readonly error: string,
    readonly causeText: string,
  ) {
    super(`${error}: ${causeText}`);
    this.name = 'StatesError';
  }
}

/** An error of the Step Functions API itself (`InvalidDefinition`, `ExecutionDoesNotExist`, ...). */
export class SfnApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
  ) {
    super(message);
    this.name = 'SfnApiError';
  }
}
