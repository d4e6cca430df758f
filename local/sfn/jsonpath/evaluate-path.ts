import { isJsonObject, javaTypeName, jsonEquals } from './json-value';
import {
  type FilterExpression,
  type FilterOperand,
  isDefiniteSegment,
  type ParsedPath,
  type PathSegment,
  parsePath,
} from './path-syntax';

/**
 * A path selected nothing (Jayway's PathNotFoundException). `message` is Jayway's text, e.g.
 * `No results for path: $['a']` or `Missing property in path $['a']`, which AWS quotes in its causes.
 */
export class PathNotFoundError extends Error {
  constructor(
    readonly path: string,
    readonly jaywayMessage: string,
  ) {
    super(jaywayMessage);
    this.name = 'PathNotFoundError';
  }
}

/** A `$name` path names a variable that has no value in scope. */
export class UndefinedVariableError extends Error {
  constructor(readonly variableName: string) {
    super(`The variable '$${variableName}' is not defined`);
    this.name = 'UndefinedVariableError';
  }
}

export interface PathScope {
  /** Context object, the root of `$$` paths. */
  context?: unknown;
  /** JSONPath variables, roots of `$name` paths. */
  variables?: Record<string, unknown>;
}

interface Node {
  value: unknown;
  path: string;
}

/**
 * Evaluates an ASL JSONPath against `data` (the root of `$`). A definite path returns the single value
 * and throws `PathNotFoundError` when it selects nothing; an indefinite path returns an array of matches.
 */
export function evaluatePath(path: string, data: unknown, scope: PathScope = {}): unknown {
  const parsed = parsePath(path);
  let root: unknown;
  switch (parsed.root.kind) {
    case 'input':
      root = data;
      break;
    case 'context':
      root = scope.context ?? {};
      break;
    case 'variable': {
      const variables = scope.variables ?? {};
      if (!Object.hasOwn(variables, parsed.root.name)) throw new UndefinedVariableError(parsed.root.name);
      root = variables[parsed.root.name];
      break;
    }
  }
  return evaluateParsed(parsed, root);
}

/** Like `evaluatePath` but answers `undefined` instead of throwing when a definite path selects nothing. */
export function tryEvaluatePath(path: string, data: unknown, scope: PathScope = {}): unknown {
  try {
    return evaluatePath(path, data, scope);
  } catch (error) {
    if (error instanceof PathNotFoundError || error instanceof UndefinedVariableError) return undefined;
    throw error;
  }
}

/** Jayway's normalized form of a definite path: `$['a'][0]`. */
export function normalizedPath(path: string): string {
  const parsed = parsePath(path);
  const rootText =
    parsed.root.kind === 'context' ? '$$' : parsed.root.kind === 'variable' ? `$${parsed.root.name}` : '$';
  return rootText + parsed.segments.map(segmentText).join('');
}

function segmentText(segment: PathSegment): string {
  const prefix = 'deep' in segment && segment.deep ? '..' : '';
  switch (segment.kind) {
    case 'property':
      return `${prefix}[${segment.names.map((name) => `'${name}'`).join(',')}]`;
    case 'wildcard':
      return `${prefix}[*]`;
    case 'index':
      return `${prefix}[${segment.indexes.join(',')}]`;
    case 'slice':
      return `${prefix}[${segment.start ?? ''}:${segment.end ?? ''}]`;
    case 'filter':
      return `${prefix}[?]`;
    case 'function':
      return `.${segment.name}()`;
  }
}

function evaluateParsed(parsed: ParsedPath, root: unknown): unknown {
  const segments = parsed.segments;
  const functionSegment = segments.at(-1)?.kind === 'function' ? segments.at(-1) : undefined;
  const selectionSegments = functionSegment ? segments.slice(0, -1) : segments;
  const selectionDefinite = selectionSegments.every(isDefiniteSegment);
  const rootPath = parsed.root.kind === 'context' ? '$$' : '$';
  let nodes: Node[] = [{ value: root, path: rootPath }];
  selectionSegments.forEach((segment, index) => {
    // AWS answers an empty array, never an error, for an indefinite path, so only definite paths throw.
    const upstreamDefinite = selectionDefinite && selectionSegments.slice(0, index).every(isDefiniteSegment);
    const isLeaf = index === selectionSegments.length - 1;
    nodes = nodes.flatMap((node) => applySegment(segment, node, { upstreamDefinite, isLeaf, root }));
  });
  let selected: unknown;
  if (selectionDefinite) {
    const [only] = nodes;
    if (!only)
      throw new PathNotFoundError(parsed.text, `No results for path: ${normalizedPath(parsed.text)}`);
    selected = only.value;
  } else {
    selected = nodes.map((node) => node.value);
  }
  if (functionSegment?.kind === 'function') return applyFunction(functionSegment.name, selected, parsed.text);
  return selected;
}

interface SegmentContext {
  upstreamDefinite: boolean;
  isLeaf: boolean;
  root: unknown;
}

function applySegment(segment: PathSegment, node: Node, context: SegmentContext): Node[] {
  if ('deep' in segment && segment.deep) {
    const results: Node[] = [];
    walk(node, (visited) => {
      results.push(...applyShallow(segment, visited, { ...context, upstreamDefinite: false }));
    });
    return results;
  }
  return applyShallow(segment, node, context);
}

/** Visits a node and then all its descendants, depth first, as Jayway's deep scan does. */
function walk(node: Node, visit: (node: Node) => void): void {
  visit(node);
  if (Array.isArray(node.value)) {
    node.value.forEach((item, index) => {
      walk({ value: item, path: `${node.path}[${index}]` }, visit);
    });
  } else if (isJsonObject(node.value)) {
    for (const [key, value] of Object.entries(node.value))
      walk({ value, path: `${node.path}['${key}']` }, visit);
  }
}

function applyShallow(segment: PathSegment, node: Node, context: SegmentContext): Node[] {
  const { value } = node;
  switch (segment.kind) {
    case 'property': {
      if (!isJsonObject(value)) {
        if (segment.deep || !context.upstreamDefinite || segment.names.length > 1) return [];
        throw new PathNotFoundError(
          node.path,
          `Expected to find an object with property ['${segment.names[0]}'] in path ${node.path} but found '${javaTypeName(value)}'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.`,
        );
      }
      const results: Node[] = [];
      for (const name of segment.names) {
        const childPath = `${node.path}['${name}']`;
        if (Object.hasOwn(value, name)) {
          results.push({ value: value[name], path: childPath });
        } else if (
          !context.isLeaf &&
          context.upstreamDefinite &&
          !segment.deep &&
          segment.names.length === 1
        ) {
          throw new PathNotFoundError(childPath, `Missing property in path ${childPath}`);
        }
      }
      return results;
    }
    case 'wildcard': {
      if (Array.isArray(value))
        return value.map((item, index) => ({ value: item, path: `${node.path}[${index}]` }));
      if (isJsonObject(value)) {
        return Object.entries(value).map(([key, item]) => ({ value: item, path: `${node.path}['${key}']` }));
      }
      return [];
    }
    case 'index': {
      if (!Array.isArray(value)) {
        if (segment.deep || !context.upstreamDefinite) return [];
        if (value === null || value === undefined) {
          throw new PathNotFoundError(node.path, `The path ${node.path} is null`);
        }
        throw new PathNotFoundError(
          node.path,
          `Filter: [${segment.indexes.join(',')}] can only be applied to arrays. Current context is: ${JSON.stringify(value)}`,
        );
      }
      const results: Node[] = [];
      for (const index of segment.indexes) {
        const effective = index < 0 ? value.length + index : index;
        if (effective >= 0 && effective < value.length) {
          results.push({ value: value[effective], path: `${node.path}[${effective}]` });
        }
      }
      return results;
    }
    case 'slice': {
      if (!Array.isArray(value)) return [];
      const length = value.length;
      const clamp = (bound: number) => Math.min(length, Math.max(0, bound < 0 ? length + bound : bound));
      const start = clamp(segment.start ?? 0);
      const end = clamp(segment.end ?? length);
      const results: Node[] = [];
      for (let index = start; index < end; index++) {
        results.push({ value: value[index], path: `${node.path}[${index}]` });
      }
      return results;
    }
    case 'filter': {
      if (Array.isArray(value)) {
        return value.flatMap((item, index) =>
          filterMatches(segment.expression, item, context.root)
            ? [{ value: item, path: `${node.path}[${index}]` }]
            : [],
        );
      }
      if (isJsonObject(value) && filterMatches(segment.expression, value, context.root)) return [node];
      return [];
    }
    case 'function':
      return [node];
  }
}

function applyFunction(name: string, value: unknown, path: string): unknown {
  const numbers = (): number[] => {
    if (!Array.isArray(value))
      throw new PathNotFoundError(
        path,
        `Aggregation function attempted to calculate value using empty array`,
      );
    const found = value.filter((item): item is number => typeof item === 'number');
    if (found.length === 0) {
      throw new PathNotFoundError(
        path,
        'Aggregation function attempted to calculate value using empty array',
      );
    }
    return found;
  };
  switch (name) {
    case 'length':
    case 'size':
      if (Array.isArray(value)) return value.length;
      if (typeof value === 'string') return value.length;
      if (isJsonObject(value)) return Object.keys(value).length;
      throw new PathNotFoundError(path, `Invalid function length() on ${javaTypeName(value)}`);
    case 'min':
      return Math.min(...numbers());
    case 'max':
      return Math.max(...numbers());
    case 'sum':
      return numbers().reduce((total, item) => total + item, 0);
    case 'avg': {
      const items = numbers();
      return items.reduce((total, item) => total + item, 0) / items.length;
    }
    case 'stddev': {
      const items = numbers();
      const mean = items.reduce((total, item) => total + item, 0) / items.length;
      return Math.sqrt(items.reduce((total, item) => total + (item - mean) ** 2, 0) / items.length);
    }
    case 'keys':
      if (isJsonObject(value)) return Object.keys(value);
      throw new PathNotFoundError(path, `Invalid function keys() on ${javaTypeName(value)}`);
    case 'first':
    case 'last': {
      if (!Array.isArray(value) || value.length === 0)
        throw new PathNotFoundError(path, `No results for path: ${path}`);
      return name === 'first' ? value[0] : value[value.length - 1];
    }
    default:
      throw new PathNotFoundError(path, `Function ${name}() is not supported`);
  }
}

const MISSING = Symbol('missing');

function operandValue(operand: FilterOperand, current: unknown, root: unknown): unknown {
  if (operand.kind === 'literal') return operand.value;
  if (operand.kind === 'regex') return operand.regex;
  let nodes: Node[] = [{ value: operand.relative ? current : root, path: '@' }];
  operand.segments.forEach((segment, index) => {
    const isLeaf = index === operand.segments.length - 1;
    nodes = nodes.flatMap((node) => {
      if (segment.kind === 'function') {
        try {
          return [{ value: applyFunction(segment.name, node.value, '@'), path: node.path }];
        } catch {
          return [];
        }
      }
      try {
        return applySegment(segment, node, { upstreamDefinite: false, isLeaf, root });
      } catch {
        return [];
      }
    });
  });
  if (operand.segments.every(isDefiniteSegment)) return nodes[0] ? nodes[0].value : MISSING;
  return nodes.map((node) => node.value);
}

function filterMatches(expression: FilterExpression, current: unknown, root: unknown): boolean {
  switch (expression.kind) {
    case 'or':
      return filterMatches(expression.left, current, root) || filterMatches(expression.right, current, root);
    case 'and':
      return filterMatches(expression.left, current, root) && filterMatches(expression.right, current, root);
    case 'not':
      return !filterMatches(expression.operand, current, root);
    case 'exists': {
      const value = operandValue(expression.operand, current, root);
      return (
        value !== MISSING &&
        !(Array.isArray(value) && value.length === 0 && !isDefiniteOperand(expression.operand))
      );
    }
    case 'compare': {
      const left = operandValue(expression.left, current, root);
      const right = operandValue(expression.right, current, root);
      if (left === MISSING || right === MISSING) return expression.operator === '!=' && left !== right;
      return compareValues(expression.operator, left, right);
    }
  }
}

function isDefiniteOperand(operand: FilterOperand): boolean {
  return operand.kind !== 'path' || operand.segments.every(isDefiniteSegment);
}

function compareValues(operator: string, left: unknown, right: unknown): boolean {
  switch (operator) {
    case '==':
      return jsonEquals(left, right);
    case '!=':
      return !jsonEquals(left, right);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const sameKind =
        (typeof left === 'number' && typeof right === 'number') ||
        (typeof left === 'string' && typeof right === 'string');
      if (!sameKind) return false;
      const order = (left as number | string) < (right as number | string) ? -1 : left === right ? 0 : 1;
      if (operator === '<') return order < 0;
      if (operator === '<=') return order <= 0;
      if (operator === '>') return order > 0;
      return order >= 0;
    }
    case '=~':
      return typeof left === 'string' && right instanceof RegExp && fullMatch(right, left);
    case 'in':
      return Array.isArray(right) && right.some((item) => jsonEquals(item, left));
    case 'nin':
      return Array.isArray(right) && !right.some((item) => jsonEquals(item, left));
    case 'subsetof':
      return (
        Array.isArray(left) &&
        Array.isArray(right) &&
        left.every((item) => right.some((r) => jsonEquals(r, item)))
      );
    case 'anyof':
      return (
        Array.isArray(left) &&
        Array.isArray(right) &&
        left.some((item) => right.some((r) => jsonEquals(r, item)))
      );
    case 'noneof':
      return (
        Array.isArray(left) &&
        Array.isArray(right) &&
        !left.some((item) => right.some((r) => jsonEquals(r, item)))
      );
    default:
      return false;
  }
}

/** Jayway matches `=~` against the whole string (Java `Matcher.matches`). */
function fullMatch(regex: RegExp, text: string): boolean {
  return new RegExp(`^(?:${regex.source})$`, regex.flags).test(text);
}
