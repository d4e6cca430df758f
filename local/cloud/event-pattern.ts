/**
 * EventBridge event pattern matching with AWS's semantics: exact values, prefix, suffix, equals-ignore-case,
 * wildcard, anything-but (values, prefix, suffix, equals-ignore-case, wildcard), numeric, exists, cidr and `$or`.
 * Arrays in the event are flattened, as EventBridge does: a pattern field matches when any value at its path does.
 * SNS filter policies use the same language.
 */
import { BlockList, isIP } from 'node:net';

export class EventPatternError extends Error {
  constructor(message: string) {
    super(`Event pattern is not valid. Reason: ${message}`);
    this.name = 'EventPatternError';
  }
}

type Json = unknown;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every leaf value at the end of `path`, arrays flattened; `undefined` is never included. */
function valuesAt(root: Json, path: string[]): Json[] {
  let current: Json[] = [root];
  for (const key of path) {
    const next: Json[] = [];
    for (const value of current.flatMap((v) => (Array.isArray(v) ? v : [v]))) {
      if (isObject(value) && Object.hasOwn(value, key)) next.push(value[key]);
    }
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v) => v !== undefined);
}

const caseless = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value);

/** `*` matches any run of characters; `\*` and `\\` are a literal star and backslash. */
function wildcardMatches(pattern: string, value: string): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] ?? '';
    if (char === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) {
      source += `\\${pattern[i + 1]}`;
      i++;
    } else if (char === '*') source += '.*';
    else source += char.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's').test(value);
}

function numericMatches(spec: unknown, value: unknown): boolean {
  if (typeof value !== 'number' || !Array.isArray(spec) || spec.length % 2 !== 0 || spec.length === 0) {
    if (!Array.isArray(spec) || spec.length === 0 || spec.length % 2 !== 0) {
      throw new EventPatternError('numeric expects [operator, number, ...]');
    }
    return false;
  }
  for (let i = 0; i < spec.length; i += 2) {
    const operator = spec[i];
    const bound = spec[i + 1];
    if (typeof bound !== 'number') throw new EventPatternError('numeric bounds must be numbers');
    const ok =
      operator === '='
        ? value === bound
        : operator === '<'
          ? value < bound
          : operator === '<='
            ? value <= bound
            : operator === '>'
              ? value > bound
              : operator === '>='
                ? value >= bound
                : undefined;
    if (ok === undefined) throw new EventPatternError(`unknown numeric operator ${String(operator)}`);
    if (!ok) return false;
  }
  return true;
}

function cidrMatches(range: unknown, value: unknown): boolean {
  if (typeof range !== 'string' || !range.includes('/'))
    throw new EventPatternError('cidr expects "address/prefix"');
  if (typeof value !== 'string' || isIP(value) === 0) return false;
  const [network = '', prefix = ''] = range.split('/');
  const family = isIP(network) === 6 ? 'ipv6' : 'ipv4';
  if (isIP(value) !== (family === 'ipv6' ? 6 : 4)) return false;
  const list = new BlockList();
  list.addSubnet(network, Number(prefix), family);
  return list.check(value, family);
}

/** `{ prefix: "x" }` or `{ prefix: { "equals-ignore-case": "x" } }` and the same for suffix. */
function affixMatches(kind: 'prefix' | 'suffix', spec: unknown, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const ignoreCase = isObject(spec) && typeof spec['equals-ignore-case'] === 'string';
  const affix = ignoreCase ? (spec as Record<string, string>)['equals-ignore-case'] : spec;
  if (typeof affix !== 'string') throw new EventPatternError(`${kind} expects a string`);
  const subject = ignoreCase ? value.toLowerCase() : value;
  const wanted = ignoreCase ? affix.toLowerCase() : affix;
  return kind === 'prefix' ? subject.startsWith(wanted) : subject.endsWith(wanted);
}

function anythingButMatches(spec: unknown, value: unknown): boolean {
  if (isObject(spec)) {
    const [[operator, operand] = []] = Object.entries(spec);
    const operands = Array.isArray(operand) ? operand : [operand];
    if (operator === 'prefix' || operator === 'suffix') {
      return typeof value === 'string' && !operands.some((o) => affixMatches(operator, o, value));
    }
    if (operator === 'equals-ignore-case') {
      return typeof value === 'string' && !operands.some((o) => caseless(o) === value.toLowerCase());
    }
    if (operator === 'wildcard') {
      return typeof value === 'string' && !operands.some((o) => wildcardMatches(String(o), value));
    }
    throw new EventPatternError(`unsupported anything-but operator ${String(operator)}`);
  }
  const excluded = Array.isArray(spec) ? spec : [spec];
  return !excluded.some((item) => item === value);
}

/** One matcher of a field's list against one event value. */
function matcherMatches(matcher: unknown, value: unknown): boolean {
  if (!isObject(matcher)) return matcher === value;
  const [[operator, spec] = []] = Object.entries(matcher);
  if (Object.keys(matcher).length !== 1) throw new EventPatternError('a matcher has exactly one operator');
  switch (operator) {
    case 'prefix':
    case 'suffix':
      return affixMatches(operator, spec, value);
    case 'equals-ignore-case':
      if (typeof spec !== 'string') throw new EventPatternError('equals-ignore-case expects a string');
      return typeof value === 'string' && value.toLowerCase() === spec.toLowerCase();
    case 'wildcard':
      if (typeof spec !== 'string') throw new EventPatternError('wildcard expects a string');
      return typeof value === 'string' && wildcardMatches(spec, value);
    case 'anything-but':
      return anythingButMatches(spec, value);
    case 'numeric':
      return numericMatches(spec, value);
    case 'cidr':
      return cidrMatches(spec, value);
    default:
      throw new EventPatternError(`unrecognized operator ${String(operator)}`);
  }
}

function fieldMatches(matchers: unknown[], values: Json[]): boolean {
  for (const matcher of matchers) {
    if (isObject(matcher) && 'exists' in matcher) {
      if (typeof matcher.exists !== 'boolean') throw new EventPatternError('exists expects true or false');
      if (matcher.exists === values.length > 0) return true;
      continue;
    }
    if (values.some((value) => matcherMatches(matcher, value))) return true;
  }
  return false;
}

function patternMatches(pattern: Record<string, unknown>, event: Json, path: string[]): boolean {
  for (const [key, spec] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(spec) || spec.length < 2)
        throw new EventPatternError('$or expects at least 2 patterns');
      if (!spec.some((alternative) => isObject(alternative) && patternMatches(alternative, event, path))) {
        return false;
      }
      continue;
    }
    const fieldPath = [...path, key];
    if (isObject(spec)) {
      if (!patternMatches(spec, event, fieldPath)) return false;
    } else if (Array.isArray(spec)) {
      if (!fieldMatches(spec, valuesAt(event, fieldPath))) return false;
    } else {
      throw new EventPatternError(`the value of ${fieldPath.join('.')} must be an array or an object`);
    }
  }
  return true;
}

/** Whether `event` matches `pattern`; an invalid pattern throws `EventPatternError`. */
export function matchesEventPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  return patternMatches(pattern, event, []);
}

/** Throws `EventPatternError` when the pattern uses an operator wrongly (checked against a probe event). */
export function validateEventPattern(pattern: Record<string, unknown>): void {
  const probe = (spec: Record<string, unknown>): void => {
    for (const [key, value] of Object.entries(spec)) {
      if (key === '$or') {
        if (!Array.isArray(value) || value.length < 2)
          throw new EventPatternError('$or expects at least 2 patterns');
        for (const alternative of value) if (isObject(alternative)) probe(alternative);
      } else if (isObject(value)) probe(value);
      else if (Array.isArray(value)) {
        for (const matcher of value) for (const probeValue of ['', 0]) fieldMatches([matcher], [probeValue]);
      } else throw new EventPatternError(`the value of ${key} must be an array or an object`);
    }
  };
  probe(pattern);
}
