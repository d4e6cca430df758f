/** Evaluating intrinsic function calls against a state's scope: arguments first, then the named function. */
import { StatesError } from '../errors';
import { evaluatePath, PathNotFoundError, type PathScope, UndefinedVariableError } from './evaluate-path';
import { CallArguments, intrinsicFunction } from './intrinsic-functions';
import {
  type IntrinsicArgument,
  type IntrinsicCall,
  IntrinsicFailure,
  IntrinsicSyntaxError,
  parseIntrinsic,
} from './intrinsic-syntax';

export interface IntrinsicScope extends PathScope {
  /** The state's effective input, the root of `$` paths. */
  input: unknown;
}

/** Evaluates `States.Xxx(...)` against a scope. Throws `StatesError` the way AWS does at run time. */
export function evaluateIntrinsic(expression: string, scope: IntrinsicScope): unknown {
  let call: IntrinsicCall;
  try {
    call = parseIntrinsic(expression);
  } catch (error) {
    if (error instanceof IntrinsicSyntaxError) throw new IntrinsicFailure(error.message);
    throw error;
  }
  return evaluateCall(call, scope);
}

function argumentValue(argument: IntrinsicArgument, scope: IntrinsicScope): unknown {
  switch (argument.kind) {
    case 'string':
    case 'number':
    case 'boolean':
      return argument.value;
    case 'null':
      return null;
    case 'call':
      return evaluateCall(argument.call, scope);
    case 'path':
      try {
        return evaluatePath(argument.path, scope.input, scope);
      } catch (error) {
        if (error instanceof PathNotFoundError || error instanceof UndefinedVariableError) {
          throw new StatesError(
            'States.Runtime',
            `The JsonPath argument for the field '${argument.path}' could not be found in the input '${JSON.stringify(scope.input)}'`,
          );
        }
        throw error;
      }
  }
}

function evaluateCall(call: IntrinsicCall, scope: IntrinsicScope): unknown {
  const values = call.args.map((argument) => argumentValue(argument, scope));
  const args = new CallArguments(call.name, values);
  const run = intrinsicFunction(call.name);
  return run ? run(args, call) : args.fail('unknown function');
}
