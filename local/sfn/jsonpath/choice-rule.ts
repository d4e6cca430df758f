import { StatesError } from '../errors';
import { evaluatePath, PathNotFoundError, type PathScope, UndefinedVariableError } from './evaluate-path';
import { isJsonObject } from './json-value';
import { invalidPathCause } from './runtime-causes';
import { parseTimestamp } from './timestamp';

export interface ChoiceScope extends PathScope {
  /** The Choice state's effective input, the root of `$` paths. */
  input: unknown;
}

/** A Choice rule that is not one of ASL's shapes (definition validation should have caught it). */
export class InvalidChoiceRuleError extends Error {
  constructor(detail: string) {
    super(`Invalid Choice rule: ${detail}`);
    this.name = 'InvalidChoiceRuleError';
  }
}

type Comparison = 'Equals' | 'LessThan' | 'GreaterThan' | 'LessThanEquals' | 'GreaterThanEquals';
const COMPARISONS: Comparison[] = [
  'Equals',
  'LessThan',
  'GreaterThan',
  'LessThanEquals',
  'GreaterThanEquals',
];
const TYPED_KINDS = ['String', 'Numeric', 'Boolean', 'Timestamp'] as const;
type TypedKind = (typeof TYPED_KINDS)[number];

/** Every data-test operator name ASL accepts in a JSONPath Choice rule. */
export const CHOICE_OPERATORS: readonly string[] = [
  ...TYPED_KINDS.flatMap((kind) =>
    (kind === 'Boolean' ? (['Equals'] as Comparison[]) : COMPARISONS).flatMap((comparison) => [
      `${kind}${comparison}`,
      `${kind}${comparison}Path`,
    ]),
  ),
  'StringMatches',
  'IsNull',
  'IsPresent',
  'IsNumeric',
  'IsString',
  'IsBoolean',
  'IsTimestamp',
];

/** Evaluates a JSONPath Choice rule (`Variable` + operator, or `And` / `Or` / `Not`). */
export function evaluateChoiceRule(rule: unknown, scope: ChoiceScope): boolean {
  if (!isJsonObject(rule)) throw new InvalidChoiceRuleError('a rule must be an object');
  if (Array.isArray(rule.And)) return rule.And.every((inner) => evaluateChoiceRule(inner, scope));
  if (Array.isArray(rule.Or)) return rule.Or.some((inner) => evaluateChoiceRule(inner, scope));
  if (rule.Not !== undefined) return !evaluateChoiceRule(rule.Not, scope);
  const variablePath = rule.Variable;
  if (typeof variablePath !== 'string') throw new InvalidChoiceRuleError('Variable must be a path');
  const operator = Object.keys(rule).find((key) => CHOICE_OPERATORS.includes(key));
  if (!operator) throw new InvalidChoiceRuleError('no comparison operator');
  const operand = rule[operator];

  if (operator === 'IsPresent') {
    return readOptional(variablePath, scope) !== undefined ? operand === true : operand === false;
  }
  const value = readRequired(variablePath, scope);
  switch (operator) {
    case 'IsNull':
      return (value === null) === (operand === true);
    case 'IsNumeric':
      return (typeof value === 'number') === (operand === true);
    case 'IsString':
      return (typeof value === 'string') === (operand === true);
    case 'IsBoolean':
      return (typeof value === 'boolean') === (operand === true);
    case 'IsTimestamp':
      return (typeof value === 'string' && parseTimestamp(value) !== undefined) === (operand === true);
    case 'StringMatches':
      return typeof value === 'string' && typeof operand === 'string' && stringMatches(value, operand);
  }
  const isPathVariant = operator.endsWith('Path');
  const base = isPathVariant ? operator.slice(0, -4) : operator;
  const kind = TYPED_KINDS.find((candidate) => base.startsWith(candidate));
  const comparison = COMPARISONS.find((candidate) => base === `${kind}${candidate}`);
  if (!kind || !comparison) throw new InvalidChoiceRuleError(`unknown operator ${operator}`);
  const expected = isPathVariant ? readRequired(String(operand), scope) : operand;
  return compareTyped(kind, comparison, value, expected);
}

function readOptional(path: string, scope: ChoiceScope): unknown {
  try {
    return evaluatePath(path, scope.input, scope);
  } catch (error) {
    if (error instanceof PathNotFoundError || error instanceof UndefinedVariableError) return undefined;
    throw error;
  }
}

function readRequired(path: string, scope: ChoiceScope): unknown {
  try {
    return evaluatePath(path, scope.input, scope);
  } catch (error) {
    if (error instanceof PathNotFoundError || error instanceof UndefinedVariableError) {
      throw new StatesError('States.Runtime', invalidPathCause(path, error));
    }
    throw error;
  }
}

function compareTyped(kind: TypedKind, comparison: Comparison, actual: unknown, expected: unknown): boolean {
  let order: number | undefined;
  switch (kind) {
    case 'String':
      if (typeof actual === 'string' && typeof expected === 'string')
        order = compareStrings(actual, expected);
      break;
    case 'Numeric':
      if (typeof actual === 'number' && typeof expected === 'number') order = Math.sign(actual - expected);
      break;
    case 'Boolean':
      if (typeof actual === 'boolean' && typeof expected === 'boolean') order = actual === expected ? 0 : 1;
      break;
    case 'Timestamp': {
      const left = typeof actual === 'string' ? parseTimestamp(actual) : undefined;
      const right = typeof expected === 'string' ? parseTimestamp(expected) : undefined;
      if (left !== undefined && right !== undefined) order = left < right ? -1 : left > right ? 1 : 0;
      break;
    }
  }
  if (order === undefined) return false;
  switch (comparison) {
    case 'Equals':
      return order === 0;
    case 'LessThan':
      return order < 0;
    case 'GreaterThan':
      return order > 0;
    case 'LessThanEquals':
      return order <= 0;
    case 'GreaterThanEquals':
      return order >= 0;
  }
}

/** Java `String.compareTo`: UTF-16 code unit order. */
function compareStrings(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/** StringMatches: `*` matches any run of characters; `\*` is a literal star and `\\` a backslash. */
export function stringMatches(value: string, pattern: string): boolean {
  let regex = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern.charAt(index);
    if (char === '\\' && index + 1 < pattern.length) {
      regex += escapeRegex(pattern.charAt(index + 1));
      index++;
    } else if (char === '*') regex += '[\\s\\S]*';
    else regex += escapeRegex(char);
  }
  return new RegExp(`^${regex}$`).test(value);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
