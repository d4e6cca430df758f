import type { StateDefinition } from '../asl';
import type { Cancellation } from '../cancellation';
import type { QueryLanguage } from './query-language';

/**
 * One sequential strand of states: the whole execution, a Parallel branch or a Map iteration. Its journal
 * keys and history event keys start with `keyPrefix`, so a replay finds each step and event again.
 */
export interface Strand {
  keyPrefix: string;
  /** Variables this strand assigned (a state's Assign lands here when the state exits). */
  ownVariables: Record<string, unknown>;
  /** Variables of the enclosing strands as they were when this one started; read-only here. */
  outerVariables: Record<string, unknown>;
  lastEventId: number;
  /** Events this strand has emitted so far; names the replay key of the next one. */
  eventCount: number;
  /** How often each state was entered here; names the journal step of the next visit. */
  visitCounts: Map<string, number>;
  cancellation: Cancellation;
  /** `$$.Map.Item` of a Map iteration. */
  mapItem?: { Index: number; Value: unknown };
  /** A branch of a Parallel state (AWS aborts a Task whose failure ends such a branch). */
  inParallelBranch?: boolean;
}

/** One visit of one state: what its handler works with. */
export interface StateRun<S extends StateDefinition = StateDefinition> {
  state: S;
  /** The state's query language, which evaluates its fields. */
  language: QueryLanguage;
  input: unknown;
  strand: Strand;
  /** Journal key of this visit: `<keyPrefix><state name>#<visit>`. */
  stepKey: string;
  enteredEventId: number;
  /** The context object (`$$` in JSONPath, `$states.context` in JSONata). */
  contextObject: Record<string, unknown>;
  /** Assign results, applied only when the state exits: every field of the state sees the old values. */
  pendingAssignments?: Record<string, unknown>;
}

/** Builds the context object of a visit (the runner, which knows the execution). */
export type ContextBuilder = (
  state: StateDefinition,
  strand: Strand,
  enteredMs: number,
) => Record<string, unknown>;

/**
 * A StateRun whose context object is built on first read, with the time the state was entered: a Pass or
 * Choice state seldom reads `$$`. A class, not an object literal with a getter, which cost a closure and an
 * accessor per step.
 */
export class StateVisit implements StateRun {
  pendingAssignments?: Record<string, unknown>;
  private context: Record<string, unknown> | undefined;

  constructor(
    readonly state: StateDefinition,
    readonly language: QueryLanguage,
    readonly input: unknown,
    readonly strand: Strand,
    readonly stepKey: string,
    readonly enteredEventId: number,
    private readonly enteredMs: number,
    private readonly buildContext: ContextBuilder,
  ) {}

  get contextObject(): Record<string, unknown> {
    this.context ??= this.buildContext(this.state, this.strand, this.enteredMs);
    return this.context;
  }
}

/**
 * A value, or a promise of it: JSONPath evaluates synchronously, and a Pass or Choice state that awaits
 * nothing runs without a promise, a suspended function or a microtask per step (profiled: a tenth of a step).
 */
export type Maybe<T> = T | Promise<T>;

/** What a state handler returns: its output and the next state (null: the strand ends). */
export interface StateResult {
  output: unknown;
  next: string | null;
}

export function visibleVariables(strand: Strand): Record<string, unknown> {
  return { ...strand.outerVariables, ...strand.ownVariables };
}

export function newStrand(
  keyPrefix: string,
  cancellation: Cancellation,
  parent?: Pick<Strand, 'ownVariables' | 'outerVariables' | 'lastEventId'>,
): Strand {
  return {
    keyPrefix,
    ownVariables: {},
    outerVariables: parent ? visibleVariables(parent as Strand) : {},
    lastEventId: parent?.lastEventId ?? 0,
    eventCount: 0,
    visitCounts: new Map(),
    cancellation,
  };
}

export function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return typeof value;
}
