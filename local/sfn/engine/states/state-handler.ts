import type { StateDefinition, StateGraph, StateOfType, StateType } from '../asl';
import type { Cancellation } from '../cancellation';
import type { ExecutionIdentity, RunnerServices } from '../runner/execution-services';
import type { Journal } from '../runner/journal';
import type { Maybe, StateResult, StateRun, Strand } from '../runner/state-run';
import type { ResourceKind, ResourceOutcome } from '../task-resources';

/** What a state handler gets from the execution it runs in; tests give a small fake. */
export interface StateEnvironment {
  journal: Journal;
  identity: ExecutionIdentity;
  services: Pick<RunnerServices, 'store' | 'scheduler' | 'tokenWaiters' | 'activities'> & {
    resources: Pick<RunnerServices['resources'], 'region'>;
  };
  /** Resolves at `dueMs`, or rejects with ExecutionHalted when `cancellation` fires first. */
  sleepUntil(dueMs: number, cancellation: Cancellation): Promise<void>;
  /** Runs a Parallel branch or a Map iteration to its end. */
  runGraph(graph: StateGraph, strand: Strand, input: unknown): Promise<unknown>;
  /** Calls a Task's resource once. */
  invoke(
    task: { resource: string; kind: ResourceKind; parameters: unknown },
    signal: AbortSignal,
  ): Promise<ResourceOutcome>;
}

export interface StateHandler<S extends StateDefinition = StateDefinition> {
  /** Its result, at once when it awaited nothing; a failure is thrown at once or rejects. */
  run(run: StateRun<S>, env: StateEnvironment): Maybe<StateResult>;
  /** After the state failed with no Catch for the error (e.g. to abort the Parallel branch it ends). */
  onUncaughtFailure?(run: StateRun<S>, env: StateEnvironment): void;
}

export type StateHandlers = { [T in StateType]: StateHandler<StateOfType<T>> };
