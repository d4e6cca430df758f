/** The syntax of intrinsic function calls (`States.Format('{}', $.name)`): their parse, cached per expression. */
import { StatesError } from '../errors';
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
