import type {
  Catcher,
  ChoiceRule,
  MapState,
  PassState,
  QueryLanguageName,
  StateDefinition,
  StateIo,
  Template,
} from '../asl';
import type { Maybe, StateRun } from './state-run';

/** The states whose work takes arguments. */
export type TaskInputState = Extract<StateDefinition, { type: 'Task' | 'Parallel' }>;

/** Where a template is evaluated: the value a JSONPath template reads, and what a JSONata one adds to `$states`. */
export interface EvaluationInput {
  /** The JSONPath input (`$`); a JSONata expression reads `$states.input`, the state's input. */
  input: unknown;
  /** A context object other than the state's (a Task's token and retry count, a Map item). */
  contextObject?: Record<string, unknown>;
  /** JSONata only: `$states.result`, `$states.errorOutput`. */
  states?: Record<string, unknown>;
}

/**
 * How a state's fields are evaluated, in JSONPath (InputPath → Parameters → ResultSelector → ResultPath →
 * OutputPath) or in JSONata (Arguments → Output, with `$states`). State handlers call these and never ask
 * which language they run in.
 */
export interface QueryLanguage {
  readonly name: QueryLanguageName;
  /** What the state's fields read: the input through InputPath (JSONPath), the input itself (JSONata). */
  stateInput(run: StateRun): unknown;
  /** Evaluates one template field (`Parameters`, `ItemSelector`, `Arguments`, `Output`, ...). */
  evaluate(run: StateRun, template: Template, field: string, where: EvaluationInput): Promise<unknown>;
  /** What a Task or Parallel works on: Parameters over the state input, or Arguments (none: the input). */
  taskArguments(run: StateRun<TaskInputState>, contextObject: Record<string, unknown>): Promise<unknown>;
  /** A Pass state's result (JSONPath: Result, Parameters or the state input); undefined when it has none. */
  passResult(run: StateRun<PassState>): { value: unknown } | undefined;
  /** The output of a state with a result, its Assign recorded (ResultSelector/ResultPath/OutputPath, or Output). */
  outputOfResult(run: StateRun, result: unknown): Maybe<unknown>;
  /** The output of a state without a result (Succeed, Wait, Choice, a JSONata Pass), its Assign recorded. */
  outputOfInput(
    run: StateRun,
    stateInput: unknown,
    fields: Pick<StateIo, 'output' | 'assign'>,
  ): Maybe<unknown>;
  /** The output of a Catch rule that caught `errorOutput` (`{ Error, Cause }`), its Assign recorded. */
  outputOfCatch(run: StateRun, catcher: Catcher, errorOutput: unknown): Promise<unknown>;
  /** Whether Choice rule number `index` matches. */
  choiceMatches(run: StateRun, rule: ChoiceRule, index: number, stateInput: unknown): Maybe<boolean>;
  /** The items a Map iterates over (ItemsPath over the state input, or Items). */
  mapItems(run: StateRun<MapState>, stateInput: unknown): Promise<unknown[]>;
}
