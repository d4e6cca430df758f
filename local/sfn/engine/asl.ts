/**
 * Typed state machine definitions. The validator (`../jsonpath/validate-definition.ts`) checks a definition once
 * when it is created; `parseMachine` (in `asl-parser.ts`) then reads each field once into the typed components
 * below, so the interpreter never probes a `Record<string, unknown>` again.
 */
import type { Retrier } from './error-matching';

export type QueryLanguageName = 'JSONPath' | 'JSONata';

export const STATE_TYPES = ['Pass', 'Task', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map'] as const;
export type StateType = (typeof STATE_TYPES)[number];

/**
 * A field whose value is given as a literal (`TimeoutSeconds: 30`), by a JSONata state's template
 * (`TimeoutSeconds: "{% $x %}"`, or any value of a JSONata state, constants included) or by a path
 * (`TimeoutSecondsPath: "$.t"`).
 */
export type DynamicValue =
  | { kind: 'literal'; value: unknown }
  | { kind: 'expression'; template: unknown }
  | { kind: 'path'; path: string };

/** A payload template: JSONPath `Parameters`-like (`"key.$": "$.x"`) or JSONata (`"{% ... %}"` anywhere). */
export type Template = unknown;

/** Fields that every state but Fail has for its input and output. */
export interface StateIo {
  /** JSONPath `InputPath`: undefined selects the whole input, null gives `{}`. */
  inputPath?: string | null;
  /** JSONPath `OutputPath`: as `inputPath`. */
  outputPath?: string | null;
  /** JSONata `Output`. */
  output?: Template;
  /** `Assign`, in either language. */
  assign?: Template;
}

interface StateBase extends StateIo {
  name: string;
  /** The state's own `QueryLanguage`, else its machine's, else its parent's (AWS: JSONPath). */
  queryLanguage: QueryLanguageName;
  /** The state to go to next; null for `End: true` (and for Succeed and Fail). */
  next: string | null;
}

/** A state that produces a result (Pass, Task, Parallel, Map) and places it with ResultPath (JSONPath). */
interface ResultFields {
  /** JSONPath `ResultPath`: undefined replaces the input, null discards the result. */
  resultPath?: string | null;
}

export interface Catcher {
  errorEquals: unknown[];
  next: string;
  resultPath?: string | null;
  output?: Template;
  assign?: Template;
}

/** Task, Parallel and Map: work that can fail, be retried and be caught. */
interface FallibleFields extends ResultFields {
  /** JSONPath `Parameters` (Map: see `itemSelector`). */
  parameters?: Template;
  /** JSONata `Arguments`. */
  arguments?: Template;
  /** JSONPath `ResultSelector`. */
  resultSelector?: Template;
  retry: Retrier[];
  catch: Catcher[];
}

export interface PassState extends StateBase, ResultFields {
  type: 'Pass';
  parameters?: Template;
  /** `Result`; `hasResult` tells a `Result: null` from none. */
  result?: unknown;
  hasResult: boolean;
}

export interface TaskState extends StateBase, FallibleFields {
  type: 'Task';
  resource: string;
  timeoutSeconds?: DynamicValue;
  heartbeatSeconds?: DynamicValue;
}

export interface ChoiceRule {
  next: string;
  /** JSONata `Condition` template. */
  condition?: Template;
  /** The whole rule as written, for the JSONPath rule evaluator (`Variable`, comparison operators, And/Or/Not). */
  rule: Record<string, unknown>;
  output?: Template;
  assign?: Template;
}

export interface ChoiceState extends StateBase {
  type: 'Choice';
  choices: ChoiceRule[];
  default?: string;
}

export interface WaitState extends StateBase {
  type: 'Wait';
  seconds?: DynamicValue;
  timestamp?: DynamicValue;
}

export interface SucceedState extends StateBase {
  type: 'Succeed';
}

export interface FailState extends StateBase {
  type: 'Fail';
  /** `Error` (a JSONata template in a JSONata state) or `ErrorPath` (a path or an intrinsic function). */
  error?: DynamicValue;
  cause?: DynamicValue;
}

/** A Parallel branch, a Map's item processor, or the machine itself. */
export interface StateGraph {
  startAt: string;
  states: Map<string, StateDefinition>;
}

export interface ParallelState extends StateBase, FallibleFields {
  type: 'Parallel';
  branches: StateGraph[];
}

export interface MapState extends StateBase, FallibleFields {
  type: 'Map';
  /** JSONata `Items`. */
  items?: Template;
  /** JSONPath `ItemsPath`. */
  itemsPath?: string | null;
  /** `ItemSelector`, or the older `Parameters` of a Map. */
  itemSelector?: Template;
  itemProcessor: StateGraph;
  maxConcurrency?: DynamicValue;
  toleratedFailureCount?: DynamicValue;
  toleratedFailurePercentage?: DynamicValue;
}

export type StateDefinition =
  | PassState
  | TaskState
  | ChoiceState
  | WaitState
  | SucceedState
  | FailState
  | ParallelState
  | MapState;

export interface Machine extends StateGraph {
  timeoutSeconds?: number;
}

/** The state definition of the given type. */
export type StateOfType<T extends StateType> = Extract<StateDefinition, { type: T }>;
