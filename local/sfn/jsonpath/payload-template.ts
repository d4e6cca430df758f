import { StatesError } from '../errors';
import { evaluatePath, PathNotFoundError, type PathScope, UndefinedVariableError } from './evaluate-path';
import { looksLikeIntrinsic } from './intrinsic-syntax';
import { evaluateIntrinsic } from './intrinsics';
import { isJsonObject } from './json-value';
import { fieldPathNotFoundCause } from './runtime-causes';

export interface PayloadScope extends PathScope {
  /** The root of `$` paths: the effective input for Parameters, the task result for ResultSelector. */
  input: unknown;
}

/**
 * Resolves a JSONPath payload template (Parameters, ResultSelector, ItemSelector): a key ending in `.$`
 * takes its value from a path (`$.x`, `$$.x`, `$var.x`) or an intrinsic call and loses the suffix;
 * other values are copied, nested objects and arrays resolved recursively.
 * Throws `StatesError('States.Runtime', ...)` with AWS's cause text (without the "An error occurred while
 * executing the state ..." prefix) when a path selects nothing.
 */
export function resolvePayloadTemplate(template: unknown, scope: PayloadScope): unknown {
  if (Array.isArray(template)) return template.map((item) => resolvePayloadTemplate(item, scope));
  if (!isJsonObject(template)) return template;
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$') && typeof value === 'string') {
      resolved[key.slice(0, -2)] = resolveDynamicValue(key, value, scope);
    } else {
      resolved[key] = resolvePayloadTemplate(value, scope);
    }
  }
  return resolved;
}

function resolveDynamicValue(fieldName: string, expression: string, scope: PayloadScope): unknown {
  if (looksLikeIntrinsic(expression)) return evaluateIntrinsic(expression.trim(), scope);
  try {
    return evaluatePath(expression, scope.input, scope);
  } catch (error) {
    if (error instanceof PathNotFoundError || error instanceof UndefinedVariableError) {
      throw new StatesError('States.Runtime', fieldPathNotFoundCause(expression, fieldName, scope.input));
    }
    throw error;
  }
}
