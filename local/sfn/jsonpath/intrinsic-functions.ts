/**
 * What each intrinsic function does, one entry per name: `evaluateIntrinsic` (intrinsics.ts) looks the call's
 * function up here with its evaluated arguments. Failures are `States.IntrinsicFailure`, as on AWS.
 */
import { createHash, randomUUID } from 'node:crypto';
import { INTRINSIC_FUNCTION_NAMES, type IntrinsicCall, IntrinsicFailure } from './intrinsic-syntax';
import { isJsonObject, jsonEquals } from './json-value';

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
export class CallArguments {
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

type IntrinsicFunction = (args: CallArguments, call: IntrinsicCall) => unknown;

/** Every name of `INTRINSIC_FUNCTION_NAMES` has its entry: the type makes a missing one a compile error. */
export const INTRINSIC_FUNCTIONS: Record<(typeof INTRINSIC_FUNCTION_NAMES)[number], IntrinsicFunction> = {
  'States.Format': (args, call) => {
    const first = call.args[0];
    if (!first) return args.fail('expected a format string');
    // A literal keeps its escapes for the template; a variable or path (AWS accepts both) gives its string.
    const template = first.kind === 'string' ? first.raw : args.stringAt(0);
    return formatTemplate(template, args.values.slice(1), (detail) => args.fail(detail));
  },
  'States.StringToJson': (args) => {
    args.expectCount(1);
    const text = args.stringAt(0);
    if (text.trim() === '') return null;
    try {
      return JSON.parse(text);
    } catch {
      return args.fail(`the string is not valid JSON: ${text}`);
    }
  },
  'States.JsonToString': (args) => {
    args.expectCount(1);
    return JSON.stringify(args.values[0]);
  },
  'States.Array': (args) => {
    return args.values;
  },
  'States.ArrayPartition': (args) => {
    args.expectCount(2);
    const array = args.arrayAt(0);
    const size = args.integerAt(1);
    if (size <= 0) return args.fail('the chunk size must be greater than 0');
    const chunks: unknown[][] = [];
    for (let start = 0; start < array.length; start += size) chunks.push(array.slice(start, start + size));
    return chunks;
  },
  'States.ArrayContains': (args) => {
    args.expectCount(2);
    const array = args.arrayAt(0);
    return array.some((item) => jsonEquals(item, args.values[1]));
  },
  'States.ArrayRange': (args) => {
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
  },
  'States.ArrayGetItem': (args) => {
    args.expectCount(2);
    const array = args.arrayAt(0);
    const index = args.integerAt(1);
    if (index < 0 || index >= array.length) return args.fail(`index ${index} is out of bounds`);
    return array[index];
  },
  'States.ArrayLength': (args) => {
    args.expectCount(1);
    return args.arrayAt(0).length;
  },
  'States.ArrayUnique': (args) => {
    args.expectCount(1);
    const unique: unknown[] = [];
    for (const item of args.arrayAt(0)) if (!unique.some((seen) => jsonEquals(seen, item))) unique.push(item);
    return unique;
  },
  'States.Base64Encode': (args) => {
    args.expectCount(1);
    const text = args.stringAt(0);
    if (text.length > MAX_BASE64_INPUT_CHARS)
      return args.fail(`the input must be at most ${MAX_BASE64_INPUT_CHARS} characters`);
    return Buffer.from(text, 'utf8').toString('base64');
  },
  'States.Base64Decode': (args) => {
    args.expectCount(1);
    const text = args.stringAt(0);
    if (text.length > MAX_BASE64_INPUT_CHARS)
      return args.fail(`the input must be at most ${MAX_BASE64_INPUT_CHARS} characters`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1)
      return args.fail('the input is not valid Base64');
    return Buffer.from(text, 'base64').toString('utf8');
  },
  'States.Hash': (args) => {
    args.expectCount(2);
    const data = args.values[0];
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    const algorithm = HASH_ALGORITHMS[args.stringAt(1)];
    if (!algorithm)
      return args.fail(`the hash algorithm must be one of ${Object.keys(HASH_ALGORITHMS).join(', ')}`);
    if (text.length > MAX_HASH_INPUT_CHARS)
      return args.fail(`the input must be at most ${MAX_HASH_INPUT_CHARS} characters`);
    return createHash(algorithm).update(text, 'utf8').digest('hex');
  },
  'States.JsonMerge': (args) => {
    args.expectCount(3);
    const [left, right, deep] = args.values;
    if (!isJsonObject(left) || !isJsonObject(right))
      return args.fail('the first two arguments must be JSON objects');
    if (deep !== false) return args.fail('only a shallow merge (false) is supported');
    return { ...left, ...right };
  },
  'States.MathRandom': (args) => {
    args.expectCount(2, 3);
    const start = args.roundedAt(0);
    const end = args.roundedAt(1);
    const random = args.values.length === 3 ? seededRandom(args.roundedAt(2)) : Math.random();
    return start + Math.floor(random * (end - start));
  },
  'States.MathAdd': (args) => {
    args.expectCount(2);
    return args.roundedAt(0) + args.roundedAt(1);
  },
  'States.StringSplit': (args) => {
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
  },
  'States.UUID': (args) => {
    args.expectCount(0);
    return randomUUID();
  },
};

const KNOWN = new Set<string>(INTRINSIC_FUNCTION_NAMES);

/** The function a call names; `undefined` for a name AWS does not have. */
export const intrinsicFunction = (name: string): IntrinsicFunction | undefined =>
  KNOWN.has(name) ? INTRINSIC_FUNCTIONS[name as (typeof INTRINSIC_FUNCTION_NAMES)[number]] : undefined;

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
