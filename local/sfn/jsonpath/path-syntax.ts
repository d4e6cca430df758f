/**
 * Parser for the JSONPath dialect ASL accepts (Jayway JsonPath, which AWS uses), plus ASL's roots:
 * `$` (state input), `$$` (context object) and `$name` (a JSONPath variable).
 */

export type PathRoot = { kind: 'input' } | { kind: 'context' } | { kind: 'variable'; name: string };

export type FilterOperand =
  | { kind: 'literal'; value: unknown }
  | { kind: 'regex'; regex: RegExp }
  | { kind: 'path'; relative: boolean; segments: PathSegment[] };

export type FilterExpression =
  | { kind: 'or'; left: FilterExpression; right: FilterExpression }
  | { kind: 'and'; left: FilterExpression; right: FilterExpression }
  | { kind: 'not'; operand: FilterExpression }
  | { kind: 'exists'; operand: FilterOperand }
  | { kind: 'compare'; operator: string; left: FilterOperand; right: FilterOperand };

export type PathSegment =
  | { kind: 'property'; names: string[]; deep: boolean }
  | { kind: 'wildcard'; deep: boolean }
  | { kind: 'index'; indexes: number[]; deep: boolean }
  | { kind: 'slice'; start: number | undefined; end: number | undefined; deep: boolean }
  | { kind: 'filter'; expression: FilterExpression; deep: boolean }
  | { kind: 'function'; name: string };

export interface ParsedPath {
  text: string;
  root: PathRoot;
  segments: PathSegment[];
  /** A definite path selects at most one node; an indefinite one always yields an array. */
  definite: boolean;
}

/** The path text is not valid JSONPath. */
export class InvalidPathSyntaxError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Invalid JSONPath '${path}': ${detail}`, options);
    this.name = 'InvalidPathSyntaxError';
  }
}

const FUNCTION_NAMES = new Set([
  'length',
  'size',
  'min',
  'max',
  'avg',
  'sum',
  'stddev',
  'keys',
  'first',
  'last',
]);
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const FILTER_OPERATORS = ['==', '!=', '<=', '>=', '=~', '<', '>', 'subsetof', 'anyof', 'noneof', 'nin', 'in'];

const cache = new Map<string, ParsedPath>();

export function parsePath(text: string): ParsedPath {
  const cached = cache.get(text);
  if (cached) return cached;
  const parsed = new PathParser(text).parseWhole();
  if (cache.size > 5000) cache.clear();
  cache.set(text, parsed);
  return parsed;
}

/** True when `text` parses as a path with one of ASL's roots. */
export function isValidPath(text: string): boolean {
  try {
    parsePath(text);
    return true;
  } catch {
    return false;
  }
}

export function isDefiniteSegment(segment: PathSegment): boolean {
  switch (segment.kind) {
    case 'property':
      return !segment.deep && segment.names.length === 1;
    case 'index':
      return !segment.deep && segment.indexes.length === 1;
    case 'function':
      return true;
    default:
      return false;
  }
}

class PathParser {
  private position = 0;

  constructor(private readonly text: string) {}

  parseWhole(): ParsedPath {
    const root = this.parseRoot();
    const segments = this.parseSegments(false);
    if (this.position < this.text.length) this.fail(`unexpected '${this.text.slice(this.position)}'`);
    return { text: this.text, root, segments, definite: segments.every(isDefiniteSegment) };
  }

  private fail(detail: string): never {
    throw new InvalidPathSyntaxError(this.text, detail);
  }

  private peek(offset = 0): string {
    return this.text.charAt(this.position + offset);
  }

  private parseRoot(): PathRoot {
    if (this.peek() !== '$') this.fail("Reference path didn't start with '$'");
    this.position++;
    if (this.peek() === '$') {
      this.position++;
      return { kind: 'context' };
    }
    const variable = VARIABLE_NAME.exec(this.text.slice(this.position));
    if (variable) {
      this.position += variable[0].length;
      return { kind: 'variable', name: variable[0] };
    }
    return { kind: 'input' };
  }

  /** Reads `.x`, `..x`, `[..]` segments; inside a filter it stops at anything else. */
  parseSegments(insideFilter: boolean): PathSegment[] {
    const segments: PathSegment[] = [];
    while (this.position < this.text.length) {
      const char = this.peek();
      if (char === '.') {
        const deep = this.peek(1) === '.';
        this.position += deep ? 2 : 1;
        if (this.peek() === '[') {
          if (!deep) this.fail("'.' followed by '['");
          segments.push(this.parseBracket(true));
          continue;
        }
        if (this.peek() === '*') {
          this.position++;
          segments.push({ kind: 'wildcard', deep });
          continue;
        }
        const name = this.readPropertyName(insideFilter);
        if (name === '') this.fail('empty property name');
        if (this.peek() === '(' && this.peek(1) === ')') {
          if (!FUNCTION_NAMES.has(name)) this.fail(`unknown function ${name}()`);
          this.position += 2;
          segments.push({ kind: 'function', name });
          continue;
        }
        segments.push({ kind: 'property', names: [name], deep });
        continue;
      }
      if (char === '[') {
        segments.push(this.parseBracket(false));
        continue;
      }
      if (insideFilter) break;
      this.fail(`unexpected '${char}'`);
    }
    const functionIndex = segments.findIndex((segment) => segment.kind === 'function');
    if (functionIndex >= 0 && functionIndex !== segments.length - 1)
      this.fail('a function must end the path');
    return segments;
  }

  private readPropertyName(insideFilter: boolean): string {
    const start = this.position;
    while (this.position < this.text.length) {
      const char = this.peek();
      if (char === '.' || char === '[' || char === '(') break;
      if (insideFilter && /[\s)=!<>&|,\]]/.test(char)) break;
      if (!insideFilter && /\s/.test(char)) this.fail('whitespace in property name');
      this.position++;
    }
    return this.text.slice(start, this.position);
  }

  private skipSpaces(): void {
    while (this.peek() === ' ') this.position++;
  }

  private parseBracket(deep: boolean): PathSegment {
    this.position++; // [
    this.skipSpaces();
    const char = this.peek();
    let segment: PathSegment;
    if (char === '*') {
      this.position++;
      segment = { kind: 'wildcard', deep };
    } else if (char === '?') {
      this.position++;
      this.skipSpaces();
      if (this.peek() !== '(') this.fail('a filter must be written [?(...)]');
      this.position++;
      const expression = this.parseFilterOr();
      this.skipSpaces();
      if (this.peek() !== ')') this.fail('unclosed filter');
      this.position++;
      segment = { kind: 'filter', expression, deep };
    } else if (char === "'" || char === '"') {
      const names = [this.readQuoted()];
      this.skipSpaces();
      while (this.peek() === ',') {
        this.position++;
        this.skipSpaces();
        names.push(this.readQuoted());
        this.skipSpaces();
      }
      segment = { kind: 'property', names, deep };
    } else {
      segment = this.parseIndexOrSlice(deep);
    }
    this.skipSpaces();
    if (this.peek() !== ']') this.fail("expected ']'");
    this.position++;
    return segment;
  }

  private readQuoted(): string {
    const quote = this.peek();
    if (quote !== "'" && quote !== '"') this.fail('expected a quoted name');
    this.position++;
    let value = '';
    while (this.position < this.text.length && this.peek() !== quote) {
      // Only an escaped quote is an escape; any other backslash stays in the name (AWS keeps it).
      if (this.peek() === '\\' && this.peek(1) === quote) this.position++;
      value += this.peek();
      this.position++;
    }
    if (this.peek() !== quote) this.fail('unterminated quoted name');
    this.position++;
    return value;
  }

  private parseIndexOrSlice(deep: boolean): PathSegment {
    const close = this.text.indexOf(']', this.position);
    if (close < 0) this.fail("expected ']'");
    const body = this.text.slice(this.position, close).replace(/\s+/g, '');
    this.position = close;
    if (body.includes(':')) {
      const parts = body.split(':');
      if (parts.length > 2 || !parts.every((part) => part === '' || /^-?\d+$/.test(part))) {
        this.fail(`invalid slice [${body}]`);
      }
      const [start, end] = parts;
      return {
        kind: 'slice',
        start: start ? Number(start) : undefined,
        end: end ? Number(end) : undefined,
        deep,
      };
    }
    const parts = body.split(',');
    if (!parts.every((part) => /^-?\d+$/.test(part))) this.fail(`invalid index [${body}]`);
    return { kind: 'index', indexes: parts.map(Number), deep };
  }

  private parseFilterOr(): FilterExpression {
    let left = this.parseFilterAnd();
    for (;;) {
      this.skipSpaces();
      if (this.text.startsWith('||', this.position)) {
        this.position += 2;
        left = { kind: 'or', left, right: this.parseFilterAnd() };
      } else return left;
    }
  }

  private parseFilterAnd(): FilterExpression {
    let left = this.parseFilterUnary();
    for (;;) {
      this.skipSpaces();
      if (this.text.startsWith('&&', this.position)) {
        this.position += 2;
        left = { kind: 'and', left, right: this.parseFilterUnary() };
      } else return left;
    }
  }

  private parseFilterUnary(): FilterExpression {
    this.skipSpaces();
    if (this.peek() === '!' && this.peek(1) !== '=') {
      this.position++;
      return { kind: 'not', operand: this.parseFilterUnary() };
    }
    if (this.peek() === '(') {
      this.position++;
      const inner = this.parseFilterOr();
      this.skipSpaces();
      if (this.peek() !== ')') this.fail('unclosed parenthesis in filter');
      this.position++;
      return inner;
    }
    const left = this.parseOperand();
    this.skipSpaces();
    const operator = FILTER_OPERATORS.find((candidate) => this.text.startsWith(candidate, this.position));
    if (!operator) {
      if (left.kind !== 'path') this.fail('a filter needs a comparison');
      return { kind: 'exists', operand: left };
    }
    this.position += operator.length;
    this.skipSpaces();
    return { kind: 'compare', operator, left, right: this.parseOperand() };
  }

  private parseOperand(): FilterOperand {
    this.skipSpaces();
    const char = this.peek();
    if (char === '@' || char === '$') {
      this.position++;
      return { kind: 'path', relative: char === '@', segments: this.parseSegments(true) };
    }
    if (char === "'" || char === '"') return { kind: 'literal', value: this.readQuoted() };
    if (char === '/') {
      const end = this.text.indexOf('/', this.position + 1);
      if (end < 0) this.fail('unterminated regular expression');
      const source = this.text.slice(this.position + 1, end);
      this.position = end + 1;
      const flags = /^[a-z]*/.exec(this.text.slice(this.position))?.[0] ?? '';
      this.position += flags.length;
      try {
        return { kind: 'regex', regex: new RegExp(source, flags.replace(/[^imsu]/g, '')) };
      } catch (error) {
        throw new InvalidPathSyntaxError(this.text, 'invalid regular expression', { cause: error });
      }
    }
    if (char === '[') {
      const end = this.text.indexOf(']', this.position);
      if (end < 0) this.fail('unterminated list');
      const body = this.text.slice(this.position, end + 1).replace(/'/g, '"');
      this.position = end + 1;
      try {
        return { kind: 'literal', value: JSON.parse(body) };
      } catch (error) {
        throw new InvalidPathSyntaxError(this.text, 'invalid list literal', { cause: error });
      }
    }
    const word = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(this.text.slice(this.position));
    if (!word) this.fail(`unexpected '${char}' in filter`);
    this.position += word[0].length;
    return { kind: 'literal', value: JSON.parse(word[0]) };
  }
}
