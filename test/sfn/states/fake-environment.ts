import { ActivityBoard } from '../../../local/sfn/engine/activity-board';
import type { StateDefinition, StateGraph } from '../../../local/sfn/engine/asl';
import { parseMachine } from '../../../local/sfn/engine/asl-parser';
import { Cancellation } from '../../../local/sfn/engine/cancellation';
import type { Journal } from '../../../local/sfn/engine/runner/journal';
import { JSONATA } from '../../../local/sfn/engine/runner/jsonata-language';
import { JSONPATH } from '../../../local/sfn/engine/runner/jsonpath-language';
import { newStrand, type StateRun, type Strand } from '../../../local/sfn/engine/runner/state-run';
import { Scheduler } from '../../../local/sfn/engine/scheduler';
import type { StateEnvironment } from '../../../local/sfn/engine/states/state-handler';
import { openEngineStore } from '../../../local/sfn/engine/store';
import type { ResourceOutcome } from '../../../local/sfn/engine/task-resources';

/** A history event as the fake journal saw it. */
export interface SeenEvent {
  type: string;
  strand: string;
  details?: unknown;
}

/** A journal that keeps everything in memory, as a state handler sees the real one. */
export class FakeJournal implements Journal {
  readonly events: SeenEvent[] = [];
  readonly entries = new Map<string, string>();
  ended = false;

  emit(strand: Strand, type: string, _detailsKey?: string, details?: unknown): number {
    this.events.push({ type, strand: strand.keyPrefix, details });
    strand.eventCount++;
    strand.lastEventId = this.events.length;
    return this.events.length;
  }
  async commit(entries: [string, string][] = []): Promise<void> {
    for (const [key, value] of entries) this.entries.set(key, value);
  }
  commitDetached(entries: [string, string][]): void {
    for (const [key, value] of entries) this.entries.set(key, value);
  }
  async remember<T>(key: string, compute: () => T): Promise<T> {
    const known = this.entries.get(key);
    if (known !== undefined) return JSON.parse(known) as T;
    const value = compute();
    this.entries.set(key, JSON.stringify(value));
    return value;
  }
  recall(key: string): string | undefined {
    return this.entries.get(key);
  }
  writeNow(work: () => void): void {
    work();
  }
  types(): string[] {
    return this.events.map((event) => event.type);
  }
}

export interface FakeOptions {
  /** What a Task's resource answers, per call. */
  invoke?: (parameters: unknown, call: number) => Promise<ResourceOutcome>;
  /** What a Parallel branch or Map iteration gives for its input. */
  runGraph?: (graph: StateGraph, strand: Strand, input: unknown) => Promise<unknown>;
}

/** A state environment with no engine behind it: sleeps end at once and are recorded. */
export function fakeEnvironment(options: FakeOptions = {}) {
  const journal = new FakeJournal();
  const sleeps: number[] = [];
  const invoked: unknown[] = [];
  const store = openEngineStore(':memory:');
  const env: StateEnvironment = {
    journal,
    identity: {
      arn: 'arn:aws:states:us-east-1:123456789012:execution:Machine:run',
      name: 'run',
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Machine',
      stateMachineName: 'Machine',
      roleArn: 'arn:aws:iam::123456789012:role/test',
      input: {},
      startMs: Date.now(),
      redriveCount: 0,
      clockStartMs: Date.now(),
      machine: parseMachine({ StartAt: 'S', States: { S: { Type: 'Succeed' } } }),
    },
    services: {
      store,
      scheduler: new Scheduler(),
      tokenWaiters: new Map(),
      activities: new ActivityBoard(store.catalog, (token) => store.getToken(token)?.status === 'PENDING'),
      resources: { region: 'us-east-1' },
    },
    async sleepUntil(dueMs, cancellation) {
      cancellation.throwIfCancelled();
      sleeps.push(dueMs);
    },
    runGraph: options.runGraph ?? (async (_graph, _strand, input) => input),
    async invoke(task) {
      invoked.push(task.parameters);
      if (!options.invoke) return { result: task.parameters };
      return options.invoke(task.parameters, invoked.length - 1);
    },
  };
  return { env, journal, sleeps, invoked, close: () => store.close() };
}

/** A typed state read from its ASL, as the parser reads it inside a machine. */
export function stateOf<S extends StateDefinition>(raw: Record<string, unknown>, queryLanguage?: string): S {
  const machine = parseMachine({
    ...(queryLanguage ? { QueryLanguage: queryLanguage } : {}),
    StartAt: 'Tested',
    States: { Tested: raw, Done: { Type: 'Succeed' } },
  });
  return machine.states.get('Tested') as S;
}

/** One visit of `state` with `input`, as the run loop would start it. */
export function runOf<S extends StateDefinition>(
  state: S,
  input: unknown,
  options: { variables?: Record<string, unknown>; mapItem?: { Index: number; Value: unknown } } = {},
): StateRun<S> {
  const strand = newStrand('', new Cancellation());
  strand.ownVariables = options.variables ?? {};
  if (options.mapItem) strand.mapItem = options.mapItem;
  return {
    state,
    language: state.queryLanguage === 'JSONata' ? JSONATA : JSONPATH,
    input,
    strand,
    stepKey: `${state.name}#0`,
    enteredEventId: 7,
    contextObject: {
      Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:Machine:run', Name: 'run' },
      State: { Name: state.name, EnteredTime: '2026-01-01T00:00:00.000Z' },
    },
  };
}
