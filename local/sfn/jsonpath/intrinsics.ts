import { createHash, randomUUID } from 'node:crypto';
import { StatesError } from '../errors';
import { evaluatePath, PathNotFoundError, type PathScope, UndefinedVariableError } from './evaluate-path';
import { isJsonObject, jsonEquals } from './json-value';
import { parsePath } from './path-syntax';

export type IntrinsicArgument =
  | { kind: 'string'; value: string; raw: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'path'; path: string }
  | { kind: 'call'; call: IntrinsicCall };

export interface IntrinsicCall {
  name: string;
  args: IntrinsicArgument[];
}

/** The text is not a well-formed intrinsic function call (reported at definition validation). */
export class IntrinsicSyntaxError extends Error {
  constructor(
    readonly expression: string,
    detail: string,
  ) {
    super(`The value for the field must be a valid intrinsic function call: ${detail} in '${expression}'`);
    this.name = 'IntrinsicSyntaxError';
  }
}

/** States.IntrinsicFailure raised while evaluating an intrinsic function. */
export class IntrinsicFailure extends StatesError {
  constructor(causeText: string) {
    super('States.IntrinsicFailure', causeText);
    this.name = 'IntrinsicFailure';
  }
}

export const INTRINSIC_FUNCTION_NAMES = [
  'States.Format',
  'States.StringToJson',
  'States.JsonToString',
  'States.Array',
  'States.ArrayPartition',
  'States.ArrayContains',
  'States.ArrayRange',
  'States.ArrayGetItem',
  'States.ArrayLength',
  'States.ArrayUnique',
  'States.Base64Encode',
  'States.Base64Decode',
  'States.Hash',
  'States.JsonMerge',
  'States.MathRandom',
  'States.MathAdd',
  'States.StringSplit',
  'States.UUID',
] as const;

const KNOWN_FUNCTIONS = new Set<string>(INTRINSIC_FUNCTION_NAMES);

/** True when a `.$` field value is an intrinsic call rather than a path. */
export function looksLikeIntrinsic(text: string): boolean {
  return /^\s*States\.[A-Za-z0-9]+\s*\(/.test(text);
}

const parsedCalls = new Map<string, IntrinsicCall>();

export function parseIntrinsic(expression: string): IntrinsicCall {
  const cached = parsedCalls.get(expression);
  if (cached) return cached;
  const parser = new IntrinsicParser(expression);
  const call = parser.parseCall();
  parser.expectEnd();
  if (parsedCalls.size > 2000) parsedCalls.clear();
  parsedCalls.set(expression, call);
  return call;
}

class IntrinsicParser {
  private position = 0;

  constructor(private readonly text: string) {}

  private fail(detail: string): never {
    throw new IntrinsicSyntaxError(this.text, detail);
  }

  private skipSpaces(): void {
    while (/\s/.test(this.text.charAt(this.position))) this.position++;
  }

  expectEnd(): void {
    this.skipSpaces();
    if (this.position !== this.text.length) this.fail(`unexpected text '${this.text.slice(this.position)}'`);
  }

  parseCall(): IntrinsicCall {
    this.skipSpaces();
    const name = /^States\.[A-Za-z0-9]+/.exec(this.text.slice(this.position))?.[0];
    if (!name) this.fail('expected a States.* function');
    if (!KNOWN_FUNCTIONS.has(name)) this.fail(`unknown function ${name}`);
    this.position += name.length;
    this.skipSpaces();
    if (this.text.charAt(this.position) !== '(') this.fail(`expected '(' after ${name}`);
    this.position++;
    const args: IntrinsicArgument[] = [];
    this.skipSpaces();
    if (this.text.charAt(this.position) === ')') {
      this.position++;
      return { name, args };
    }
    for (;;) {
      args.push(this.parseArgument());
      this.skipSpaces();
      const separator = this.text.charAt(this.position);
      this.position++;
      if (separator === ')') return { name, args };
      if (separator !== ',') this.fail(`expected ',' or ')'`);
    }
  }

  private parseArgument(): IntrinsicArgument {
    this.skipSpaces();
    const rest = this.text.slice(this.position);
    const char = rest.charAt(0);
    if (char === "'") return this.parseString();
    if (char === '$') return { kind: 'path', path: this.readPath() };
    if (rest.startsWith('States.')) return { kind: 'call', call: this.parseCall() };
    const literal = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)(?=\s*[,)])/.exec(rest)?.[0];
    if (!literal) this.fail(`invalid argument at '${rest}'`);
    this.position += literal.length;
    if (literal === 'true' || literal === 'false') return { kind: 'boolean', value: literal === 'true' };
    if (literal === 'null') return { kind: 'null' };
    return { kind: 'number', value: Number(literal) };
  }

  /** Reads `'...'`: `\'`, `\{`, `\}` and `\\` are escapes; `raw` keeps them for States.Format. */
  private parseString(): IntrinsicArgument {
    const start = ++this.position;
    let value = '';
    while (this.position < this.text.length) {
      const char = this.text.charAt(this.position);
      if (char === '\\') {
        const next = this.text.charAt(this.position + 1);
        if (next === "'" || next === '{' || next === '}' || next === '\\') {
          value += next;
          this.position += 2;
          continue;
        }
        value += char;
        this.position++;
        continue;
      }
      if (char === "'") {
        const raw = this.text.slice(start, this.position);
        this.position++;
        return { kind: 'string', value, raw };
      }
      value += char;
      this.position++;
    }
    this.fail('unterminated string literal');
  }

  /** A path argument runs to the next `,` or `)` outside brackets and quotes. */
  private readPath(): string {
    const start = this.position;
    let depth = 0;
    let quote = '';
    while (this.position < this.text.length) {
      const char = this.text.charAt(this.position);
      if (quote) {
        if (char === quote) quote = '';
      } else if (char === "'" || char === '"') quote = char;
      else if (char === '[' || char === '(') depth++;
      else if ((char === ']' || char === ')') && depth > 0) depth--;
      else if ((char === ',' || char === ')') && depth === 0) break;
      this.position++;
    }
    const path = this.text.slice(start, this.position).trim();
    try {
      parsePath(path);
    } catch {
      this.fail(`invalid path '${path}'`);
    }
    return path;
  }
}

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

const MAX_ARRAY_RANGE_ITEMS = 1000;
const MAX_HASH_INPUT_CHARS = 10_000;
const MAX_BASE64_INPUT_CHARS = 10_000;
const HASH_ALGORITHMS: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/**
 * The arguments of one intrinsic call and their checks. A class rather than closures made per call: the
 * closures (each also named by the TypeScript loader) were a visible share of a Choice loop's profile.
 */
class CallArguments {
  constructor(
    private readonly name: string,
    readonly values: unknown[],
  ) {}

  fail(detail: string): never {
    throw new IntrinsicFailure(`Invalid arguments in ${this.name}: ${detail}`);
  }
  expectCount(min: number, max = min): void {
    const count = this.values.length;
    if (count < min || count > max) {
      this.fail(`expected ${min === max ? min : `${min} to ${max}`} argument(s) but got ${count}`);
    }
  }
  arrayAt(index: number): unknown[] {
    const value = this.values[index];
    if (!Array.isArray(value)) return this.fail(`argument ${index + 1} must be an array`);
    return value;
  }
  stringAt(index: number): string {
    const value = this.values[index];
    if (typeof value !== 'string') return this.fail(`argument ${index + 1} must be a string`);
    return value;
  }
  integerAt(index: number): number {
    const value = this.values[index];
    if (typeof value !== 'number' || !Number.isInteger(value))
      return this.fail(`argument ${index + 1} must be an integer`);
    return value;
  }
  /** AWS rounds decimal arguments of the Math functions half up (Java Math.round): 1.5 -> 2, -1.5 -> -1. */
  roundedAt(index: number): number {
    const value = this.values[index];
    if (typeof value !== 'number') return this.fail(`argument ${index + 1} must be a number`);
    return Math.round(value);
  }
}

function evaluateCall(call: IntrinsicCall, scope: IntrinsicScope): unknown {
  const values = call.args.map((argument) => argumentValue(argument, scope));
  const args = new CallArguments(call.name, values);

  switch (call.name) {
    case 'States.Format': {
      const first = call.args[0];
      if (!first) return args.fail('expected a format string');
      // A literal keeps its escapes for the template; a variable or path (AWS accepts both) gives its string.
      const template = first.kind === 'string' ? first.raw : args.stringAt(0);
      return formatTemplate(template, values.slice(1), (detail) => args.fail(detail));
    }
    case 'States.StringToJson': {
      args.expectCount(1);
      const text = args.stringAt(0);
      if (text.trim() === '') return null;
      try {
        return JSON.parse(text);
      } catch {
        return args.fail(`the string is not valid JSON: ${text}`);
      }
    }
    case 'States.JsonToString':
      args.expectCount(1);
      return JSON.stringify(values[0]);
    case 'States.Array':
      return values;
    case 'States.ArrayPartition': {
      args.expectCount(2);
      const array = args.arrayAt(0);
      const size = args.integerAt(1);
      if (size <= 0) return args.fail('the chunk size must be greater than 0');
      const chunks: unknown[][] = [];
      for (let start = 0; start < array.length; start += size) chunks.push(array.slice(start, start + size));
      return chunks;
    }
    case 'States.ArrayContains': {
      args.expectCount(2);
      const array = args.arrayAt(0);
      return array.some((item) => jsonEquals(item, values[1]));
    }
    case 'States.ArrayRange': {
      args.expectCount(3);
      const start = args.integerAt(0);
      const end = args.integerAt(1);
      const step = args.integerAt(2);
      if (step === 0) return args.fail('the step must not be 0');
      const items: number[] = [];
      for (let value = start; step > 0 ? value <= end : value >= end; value += step) {
        items.push(value);
        if (items.length > MAX_ARRAY_RANGE_ITEMS)
          return args.fail(`the array cannot have more than ${MAX_ARRAY_RANGE_ITEMS} items`);
      }
      return items;
    }
    case 'States.ArrayGetItem': {
      args.expectCount(2);
      const array = args.arrayAt(0);
      const index = args.integerAt(1);
      if (index < 0 || index >= array.length) return args.fail(`index ${index} is out of bounds`);
      return array[index];
    }
    case 'States.ArrayLength':
      args.expectCount(1);
      return args.arrayAt(0).length;
    case 'States.ArrayUnique': {
      args.expectCount(1);
      const unique: unknown[] = [];
      for (const item of args.arrayAt(0))
        if (!unique.some((seen) => jsonEquals(seen, item))) unique.push(item);
      return unique;
    }
    case 'States.Base64Encode': {
      args.expectCount(1);
      const text = args.stringAt(0);
      if (text.length > MAX_BASE64_INPUT_CHARS)
        return args.fail(`the input must be at most ${MAX_BASE64_INPUT_CHARS} characters`);
      return Buffer.from(text, 'utf8').toString('base64');
    }
    case 'States.Base64Decode': {
      args.expectCount(1);
      const text = args.stringAt(0);
      if (text.length > MAX_BASE64_INPUT_CHARS)
        return args.fail(`the input must be at most ${MAX_BASE64_INPUT_CHARS} characters`);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1)
        return args.fail('the input is not valid Base64');
      return Buffer.from(text, 'base64').toString('utf8');
    }
    case 'States.Hash': {
      args.expectCount(2);
      const data = values[0];
      const text = typeof data === 'string' ? data : JSON.stringify(data);
      const algorithm = HASH_ALGORITHMS[args.stringAt(1)];
      if (!algorithm)
        return args.fail(`the hash algorithm must be one of ${Object.keys(HASH_ALGORITHMS).join(', ')}`);
      if (text.length > MAX_HASH_INPUT_CHARS)
        return args.fail(`the input must be at most ${MAX_HASH_INPUT_CHARS} characters`);
      return createHash(algorithm).update(text, 'utf8').digest('hex');
    }
    case 'States.JsonMerge': {
      args.expectCount(3);
      const [left, right, deep] = values;
      if (!isJsonObject(left) || !isJsonObject(right))
        return args.fail('the first two arguments must be JSON objects');
      if (deep !== false) return args.fail('only a shallow merge (false) is supported');
      return { ...left, ...right };
    }
    case 'States.MathRandom': {
      args.expectCount(2, 3);
      const start = args.roundedAt(0);
      const end = args.roundedAt(1);
      const random = values.length === 3 ? seededRandom(args.roundedAt(2)) : Math.random();
      return start + Math.floor(random * (end - start));
    }
    case 'States.MathAdd': {
      args.expectCount(2);
      return args.roundedAt(0) + args.roundedAt(1);
    }
    case 'States.StringSplit': {
      args.expectCount(2);
      const text = args.stringAt(0);
      const delimiters = new Set(args.stringAt(1));
      // Java StringTokenizer: every delimiter character splits, empty tokens are dropped.
      const tokens: string[] = [];
      let current = '';
      for (const char of text) {
        if (delimiters.has(char)) {
          if (current) tokens.push(current);
          current = '';
        } else current += char;
      }
      if (current) tokens.push(current);
      return tokens;
    }
    case 'States.UUID':
      args.expectCount(0);
      return randomUUID();
    default:
      return args.fail('unknown function');
  }
}

function formatTemplate(template: string, args: unknown[], fail: (detail: string) => never): string {
  let output = '';
  let argumentIndex = 0;
  for (let position = 0; position < template.length; position++) {
    const char = template.charAt(position);
    if (char === '\\' && position + 1 < template.length) {
      const next = template.charAt(position + 1);
      if (next === "'" || next === '{' || next === '}' || next === '\\') {
        output += next;
        position++;
        continue;
      }
    }
    if (char === '{' && template.charAt(position + 1) === '}') {
      if (argumentIndex >= args.length) fail('the template has more placeholders than arguments');
      output += javaToString(args[argumentIndex++]);
      position++;
      continue;
    }
    output += char;
  }
  if (argumentIndex !== args.length) fail('the template has fewer placeholders than arguments');
  return output;
}

/** How Java's `toString` renders the parsed JSON (AWS formats Maps and Lists that way). */
function javaToString(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(javaToString).join(', ')}]`;
  if (isJsonObject(value)) {
    return `{${Object.entries(value)
      .map(([key, item]) => `${key}=${javaToString(item)}`)
      .join(', ')}}`;
  }
  return String(value);
}

/** Deterministic [0, 1) generator for MathRandom's seed (mulberry32). */
function seededRandom(seed: number): number {
  let state = (seed + 0x6d2b79f5) | 0;
  state = Math.imul(state ^ (state >>> 15), state | 1);
  state ^= state + Math.imul(state ^ (state >>> 7), state | 61);
  return ((state ^ (state >>> 14)) >>> 0) / 4294967296;
}
