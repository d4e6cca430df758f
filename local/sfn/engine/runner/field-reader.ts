import { StatesError } from '../../errors';
import type { DynamicValue, Template } from '../asl';
import { evaluateIntrinsic, evaluatePath, looksLikeIntrinsic } from '../jsonpath-bridge';
import { unexpectedResultType } from './failures';
import { JSONATA } from './jsonata-language';
import { JSONPATH, pathScope } from './jsonpath-language';
import type { StateRun } from './state-run';

/**
 * How one field that can be a literal, a JSONata expression or a `*Path` turns into its typed value. Each
 * conversion throws the field's own error (AWS words them differently per field).
 */
export interface FieldRule<T> {
  /** The field's name (`TimeoutSeconds`); its path field is `<name>Path`. */
  field: string;
  fromLiteral?(value: unknown): T | undefined;
  fromExpression(value: unknown, template: Template): T | undefined;
  fromPath(value: unknown, path: string): T | undefined;
  /** The failure when the path selects nothing; without it, the path's own error. */
  missingPath?(path: string, error: unknown, input: unknown): Error;
  /** The path field may also be an intrinsic function (`States.Format(...)`). */
  intrinsics?: boolean;
}

function readPath<T>(run: StateRun, path: string, rule: FieldRule<T>): unknown {
  // A path reads the state input after InputPath, which only a JSONPath state has.
  const input = JSONPATH.stateInput(run);
  if (rule.intrinsics && looksLikeIntrinsic(path)) {
    return evaluateIntrinsic(path.trim(), pathScope(input, run));
  }
  try {
    return evaluatePath(path, input, pathScope(input, run));
  } catch (error) {
    if (rule.missingPath) throw rule.missingPath(path, error, input);
    throw error;
  }
}

/** Reads a literal / expression / path field; undefined when the state has none of them. */
export async function readField<T>(
  run: StateRun,
  value: DynamicValue | undefined,
  rule: FieldRule<T>,
): Promise<T | undefined> {
  if (value === undefined) return undefined;
  switch (value.kind) {
    case 'literal':
      return rule.fromLiteral ? rule.fromLiteral(value.value) : (value.value as T);
    case 'expression': {
      const evaluated = await JSONATA.evaluate(run, value.template, rule.field, { input: run.input });
      return rule.fromExpression(evaluated, value.template);
    }
    case 'path':
      return rule.fromPath(readPath(run, value.path, rule), value.path);
  }
}

/** A positive integer such as TimeoutSeconds / HeartbeatSeconds. */
export function positiveIntegerRule(field: string): FieldRule<number> {
  const valid = (value: unknown): value is number =>
    typeof value === 'number' && Number.isInteger(value) && value > 0;
  return {
    field,
    fromExpression(value, template) {
      if (!valid(value)) throw unexpectedResultType(field, template, 'integer', value);
      return value;
    },
    fromPath(value, path) {
      if (!valid(value)) {
        throw new StatesError(
          'States.Runtime',
          `The ${field}Path field refers to value "${JSON.stringify(value)}" which is not a valid positive integer: ${path}`,
        );
      }
      return value;
    },
  };
}
