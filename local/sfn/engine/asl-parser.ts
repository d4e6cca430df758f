import {
  type Catcher,
  type ChoiceRule,
  type DynamicValue,
  type Machine,
  type QueryLanguageName,
  STATE_TYPES,
  type StateDefinition,
  type StateGraph,
  type StateType,
} from './asl';
import type { Retrier } from './error-matching';

type RawObject = Record<string, unknown>;

function isObject(value: unknown): value is RawObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objects(value: unknown): RawObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function optionalPath(value: unknown): string | null | undefined {
  return typeof value === 'string' || value === null ? value : undefined;
}

/** `Field` as a literal of its type or (in a JSONata state) an expression string, else `FieldPath`. */
function dynamicValue(
  raw: RawObject,
  field: string,
  language: QueryLanguageName,
  literalType: 'number' | 'string' = 'number',
): DynamicValue | undefined {
  const value = raw[field];
  if (literalType === 'number' && typeof value === 'number') return { kind: 'literal', value };
  if (language === 'JSONata' && typeof value === 'string') return { kind: 'expression', template: value };
  if (literalType === 'string' && typeof value === 'string') return { kind: 'literal', value };
  const path = raw[`${field}Path`];
  return typeof path === 'string' ? { kind: 'path', path } : undefined;
}

/** Fail's `Error` / `ErrorPath` (and `Cause` / `CausePath`): a JSONata state knows no `*Path`. */
function failField(raw: RawObject, field: string, language: QueryLanguageName): DynamicValue | undefined {
  const value = raw[field];
  if (language === 'JSONata')
    return value === undefined ? undefined : { kind: 'expression', template: value };
  const path = raw[`${field}Path`];
  if (path !== undefined) return { kind: 'path', path: String(path) };
  return value === undefined ? undefined : { kind: 'literal', value };
}

function retriers(value: unknown): Retrier[] {
  return objects(value) as Retrier[];
}

function catchers(value: unknown): Catcher[] {
  return objects(value)
    .filter((raw) => typeof raw.Next === 'string')
    .map((raw) => ({
      errorEquals: Array.isArray(raw.ErrorEquals) ? raw.ErrorEquals : [],
      next: raw.Next as string,
      resultPath: optionalPath(raw.ResultPath),
      output: raw.Output,
      assign: raw.Assign,
    }));
}

function choiceRules(value: unknown): ChoiceRule[] {
  return objects(value).map((raw) => ({
    next: String(raw.Next),
    condition: raw.Condition,
    rule: raw,
    output: raw.Output,
    assign: raw.Assign,
  }));
}

function assignment(value: unknown): unknown {
  return value && typeof value === 'object' ? value : undefined;
}

function languageOf(raw: RawObject, inherited: QueryLanguageName): QueryLanguageName {
  return raw.QueryLanguage === 'JSONata' || raw.QueryLanguage === 'JSONPath' ? raw.QueryLanguage : inherited;
}

function baseFields(name: string, raw: RawObject, language: QueryLanguageName) {
  return {
    name,
    queryLanguage: language,
    next: raw.End === true || typeof raw.Next !== 'string' ? null : raw.Next,
    inputPath: optionalPath(raw.InputPath),
    outputPath: optionalPath(raw.OutputPath),
    output: raw.Output,
    assign: assignment(raw.Assign),
  };
}

function fallibleFields(raw: RawObject) {
  return {
    resultPath: optionalPath(raw.ResultPath),
    parameters: raw.Parameters,
    arguments: raw.Arguments,
    resultSelector: raw.ResultSelector,
    retry: retriers(raw.Retry),
    catch: catchers(raw.Catch),
  };
}

type Base = ReturnType<typeof baseFields>;
type TypeReader = (raw: RawObject, base: Base, language: QueryLanguageName) => StateDefinition;

/** The fields of each state type beyond the common ones. */
const TYPE_READERS: Record<StateType, TypeReader> = {
  Pass: (raw, base) => ({
    ...base,
    type: 'Pass',
    resultPath: optionalPath(raw.ResultPath),
    parameters: raw.Parameters,
    result: raw.Result,
    hasResult: raw.Result !== undefined,
  }),
  Task: (raw, base, language) => ({
    ...base,
    ...fallibleFields(raw),
    type: 'Task',
    resource: String(raw.Resource ?? ''),
    // A JSONata Task without Arguments gets an empty object, not its input.
    arguments: language === 'JSONata' ? (raw.Arguments ?? {}) : raw.Arguments,
    timeoutSeconds: dynamicValue(raw, 'TimeoutSeconds', language),
    heartbeatSeconds: dynamicValue(raw, 'HeartbeatSeconds', language),
  }),
  Choice: (raw, base) => ({
    ...base,
    type: 'Choice',
    next: null,
    choices: choiceRules(raw.Choices),
    default: typeof raw.Default === 'string' ? raw.Default : undefined,
  }),
  Wait: (raw, base, language) => ({
    ...base,
    type: 'Wait',
    seconds: dynamicValue(raw, 'Seconds', language),
    timestamp: dynamicValue(raw, 'Timestamp', language, 'string'),
  }),
  Succeed: (_raw, base) => ({ ...base, type: 'Succeed', next: null }),
  Fail: (raw, base, language) => ({
    ...base,
    type: 'Fail',
    next: null,
    error: failField(raw, 'Error', language),
    cause: failField(raw, 'Cause', language),
  }),
  Parallel: (raw, base, language) => ({
    ...base,
    ...fallibleFields(raw),
    type: 'Parallel',
    branches: objects(raw.Branches).map((branch) => parseGraph(branch, language)),
  }),
  Map: (raw, base, language) => ({
    ...base,
    ...fallibleFields(raw),
    type: 'Map',
    parameters: undefined,
    items: raw.Items,
    itemsPath: optionalPath(raw.ItemsPath),
    itemSelector: raw.ItemSelector ?? raw.Parameters,
    itemProcessor: parseGraph(
      isObject(raw.ItemProcessor) ? raw.ItemProcessor : isObject(raw.Iterator) ? raw.Iterator : {},
      language,
    ),
    maxConcurrency: dynamicValue(raw, 'MaxConcurrency', language),
    toleratedFailureCount: dynamicValue(raw, 'ToleratedFailureCount', language),
    toleratedFailurePercentage: dynamicValue(raw, 'ToleratedFailurePercentage', language),
  }),
};

function parseState(name: string, raw: RawObject, inherited: QueryLanguageName): StateDefinition {
  const language = languageOf(raw, inherited);
  const read = (STATE_TYPES as readonly unknown[]).includes(raw.Type)
    ? TYPE_READERS[raw.Type as StateType]
    : undefined;
  if (!read) throw new Error(`Unsupported state type '${String(raw.Type)}'.`);
  return read(raw, baseFields(name, raw, language), language);
}

function parseGraph(raw: RawObject, inherited: QueryLanguageName): StateGraph {
  const language = languageOf(raw, inherited);
  const states = new Map<string, StateDefinition>();
  if (isObject(raw.States)) {
    for (const [name, state] of Object.entries(raw.States)) {
      if (isObject(state)) states.set(name, parseState(name, state, language));
    }
  }
  return { startAt: typeof raw.StartAt === 'string' ? raw.StartAt : '', states };
}

/**
 * Reads a definition that `validateDefinition` accepted into typed states. Each field is read here and only
 * here; what the validator already refused is not checked again.
 */
export function parseMachine(definition: unknown): Machine {
  const raw = isObject(definition) ? definition : {};
  const graph = parseGraph(raw, 'JSONPath');
  const timeout = raw.TimeoutSeconds;
  return { ...graph, timeoutSeconds: typeof timeout === 'number' ? timeout : undefined };
}
