import { createHash, randomUUID } from 'node:crypto';
import jsonata from 'jsonata';
import { StatesError } from '../errors';

/** `$states` and the workflow variables as a JSONata expression sees them. */
export interface JsonataScope {
  states: Record<string, unknown>;
  variables: Record<string, unknown>;
}

const compiled = new Map<string, jsonata.Expression>();

/** `"{% expr %}"` → `expr`; any other value → undefined. */
export function jsonataExpressionOf(value: unknown): string | undefined {
  // Only an exact `{%` ... `%}` string is an expression; ` {% x %} ` with outer spaces is a constant.
  if (typeof value !== 'string') return undefined;
  if (value.length >= 4 && value.startsWith('{%') && value.endsWith('%}')) return value.slice(2, -2).trim();
  return undefined;
}

function compile(expression: string): jsonata.Expression {
  const cached = compiled.get(expression);
  if (cached) return cached;
  const parsed = jsonata(expression);
  registerAwsFunctions(parsed);
  if (compiled.size > 5000) compiled.clear();
  compiled.set(expression, parsed);
  return parsed;
}

/**
 * Evaluates one JSONata expression for the field `fieldPath` (e.g. `Output/result`), the way Step Functions
 * reports failures: `States.QueryEvaluationError` with the expression and field named in the cause (the
 * interpreter prefixes "An error occurred while executing the state ...").
 */
export async function evaluateJsonata(
  expression: string,
  scope: JsonataScope,
  fieldPath: string,
  options: { allowUndefined?: boolean } = {},
): Promise<unknown> {
  let result: unknown;
  try {
    const bindings: Record<string, unknown> = { ...scope.variables, states: scope.states };
    result = await compile(expression).evaluate(scope.states.input, bindings);
  } catch (error) {
    if (error instanceof StatesError) throw error;
    const detail = jsonataErrorText(error);
    throw new StatesError(
      'States.QueryEvaluationError',
      `The JSONata expression '${expression}' specified for the field '${fieldPath}' threw an error during evaluation. ${detail}`,
    );
  }
  if (result === undefined) {
    if (options.allowUndefined) return undefined;
    throw new StatesError(
      'States.QueryEvaluationError',
      `The JSONata expression '${expression}' specified for the field '${fieldPath}' returned nothing (undefined).`,
    );
  }
  if (typeof result === 'function' || containsFunction(result)) {
    throw new StatesError(
      'States.QueryEvaluationError',
      `The JSONata expression '${expression}' specified for the field '${fieldPath}' returned an unsupported result type.`,
    );
  }
  return toPlainJson(result);
}

function jsonataErrorText(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && 'message' in error) {
    return `${String(error.code)}: ${String(error.message)}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function containsFunction(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (Array.isArray(value)) return value.some(containsFunction);
  if (value && typeof value === 'object') {
    if ('_jsonata_lambda' in value) return true;
    return Object.values(value).some(containsFunction);
  }
  return false;
}

/** JSONata returns arrays tagged as sequences and may produce -0 or NaN; Step Functions passes plain JSON. */
export function toPlainJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (value && typeof value === 'object') {
    const plain: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) {
      if (entry !== undefined) plain[key] = toPlainJson(entry);
    }
    return plain;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

function fail(message: string): never {
  throw new StatesError('States.QueryEvaluationError', message);
}

/** The extra functions Step Functions adds to JSONata, and `$eval`, which it forbids. */
function registerAwsFunctions(expression: jsonata.Expression): void {
  expression.registerFunction('partition', (array: unknown, size: unknown) => {
    if (!Array.isArray(array)) fail('The $partition function expects an array as its first argument.');
    if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) {
      fail('The $partition function expects a positive integer as its second argument.');
    }
    const chunks: unknown[][] = [];
    for (let index = 0; index < array.length; index += size) chunks.push(array.slice(index, index + size));
    return chunks;
  });
  expression.registerFunction('range', (start: unknown, end: unknown, step: unknown) => {
    if (typeof start !== 'number' || typeof end !== 'number' || typeof step !== 'number' || step === 0) {
      fail('The $range function expects three numeric arguments and a non-zero step.');
    }
    const values: number[] = [];
    for (let value = start; step > 0 ? value <= end : value >= end; value += step) {
      values.push(value);
      if (values.length > 1000) fail('The $range function produced more than 1000 items.');
    }
    // A one-element JSONata sequence collapses to its element.
    return values.length === 1 ? values[0] : values;
  });
  expression.registerFunction('hash', (data: unknown, algorithm: unknown) => {
    const algorithms: Record<string, string> = {
      MD5: 'md5',
      'SHA-1': 'sha1',
      'SHA-256': 'sha256',
      'SHA-384': 'sha384',
      'SHA-512': 'sha512',
    };
    const nodeAlgorithm = typeof algorithm === 'string' ? algorithms[algorithm] : undefined;
    if (typeof data !== 'string' || !nodeAlgorithm) {
      fail('The $hash function expects a string and one of MD5, SHA-1, SHA-256, SHA-384, SHA-512.');
    }
    return createHash(nodeAlgorithm).update(data).digest('hex');
  });
  expression.registerFunction('random', (seed?: unknown) => {
    if (seed === undefined) return Math.random();
    return seededRandom(typeof seed === 'number' ? seed : String(seed).length);
  });
  expression.registerFunction('uuid', () => randomUUID());
  expression.registerFunction('parse', (text: unknown) => {
    if (typeof text !== 'string') fail('The $parse function expects a string.');
    try {
      return JSON.parse(text);
    } catch {
      fail(`The $parse function could not parse: ${text}`);
    }
  });
  expression.registerFunction('eval', () => fail('The $eval function is not supported.'));
}

function seededRandom(seed: number): number {
  // mulberry32: deterministic for a given seed, as AWS's seeded $random is.
  let state = Math.floor(seed) >>> 0;
  state = (state + 0x6d2b79f5) >>> 0;
  let mixed = Math.imul(state ^ (state >>> 15), state | 1);
  mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
  return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
}
