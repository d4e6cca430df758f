import type { StateDefinition, StateGraph } from '../asl';
import { Cancellation, ExecutionHalted } from '../cancellation';
import { STATE_HANDLERS } from '../states';
import type { StateEnvironment, StateHandler } from '../states/state-handler';
import type { TextSource } from '../store';
import { runResource } from '../task-resources';
import type { ExecutionEnding } from './execution-end';
import type { ExecutionIdentity, RunnerServices } from './execution-services';
import { asFailure, StateFailure } from './failures';
import { ExecutionJournal } from './journal';
import { certainlyFits, JsonText } from './json-text';
import { JSONATA } from './jsonata-language';
import { JSONPATH } from './jsonpath-language';
import { type Maybe, newStrand, type StateResult, type StateRun, StateVisit, type Strand } from './state-run';
import { StepEntry, type StepRecord } from './step-record';

const DATA_LIMIT_BYTES = 256 * 1024;
/**
 * Shared by every entered/exited event an in-memory engine keeps (their details are written on first read):
 * one object and one type name per state type instead of new ones per event, which the GC, a third of a
 * Pass chain's time with every event kept, had to copy.
 */
const NOT_TRUNCATED = Object.freeze({ truncated: false });
const eventTypes = new Map<string, { entered: string; exited: string }>();
function eventTypesOf(stateType: string): { entered: string; exited: string } {
  let types = eventTypes.get(stateType);
  if (types === undefined) {
    types = { entered: `${stateType}StateEntered`, exited: `${stateType}StateExited` };
    eventTypes.set(stateType, types);
  }
  return types;
}
const LANGUAGES = { JSONPath: JSONPATH, JSONata: JSONATA };
/**
 * States whose step commit nobody waits for: it is grouped with what follows (see CommitQueue), instead of a
 * transaction and a turn of the event loop each. A crash before it is written replays the step: a pure one
 * does nothing anyone can see, and a Task's outcome was committed before (awaited, or in its token's row), so
 * its replay calls nothing again.
 */
const UNAWAITED_STATES = new Set(['Pass', 'Choice', 'Succeed', 'Fail', 'Task']);
/** How many steps in a row a strand runs without waiting before it lets the event loop in. */
const STEPS_BETWEEN_TURNS = 64;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A visit of a state as the run loop commits it: its step record and its output's JSON text (to be written). */
interface RanState {
  record: StepRecord;
  outputText?: TextSource;
}

/**
 * A step's record with where its strand stands now, in one literal (spreading a position object into it was a
 * runtime call per step). Module functions: the TypeScript loader names each closure it makes.
 */
function passedRecord(strand: Strand, output: unknown, next: string | null): StepRecord {
  return {
    output,
    next,
    own: strand.ownVariables,
    eventSeq: strand.eventCount,
    lastEventId: strand.lastEventId,
  };
}

function failedRecord(strand: Strand, error: string | undefined, cause: string | undefined): StepRecord {
  return {
    error,
    cause,
    own: strand.ownVariables,
    eventSeq: strand.eventCount,
    lastEventId: strand.lastEventId,
  };
}

/** An output's JSON text, counted: States.DataLimitExceeded past 256 KiB of UTF-8. */
function limitedText(output: unknown, stateName: string): JsonText {
  const text = JSON.stringify(output ?? null);
  // A UTF-8 character takes at most 3 bytes per UTF-16 unit: short texts need no byte count.
  if (text.length * 3 > DATA_LIMIT_BYTES && Buffer.byteLength(text) > DATA_LIMIT_BYTES) {
    throw new StateFailure(
      'States.DataLimitExceeded',
      `The state/task '${stateName}' returned a result with a size exceeding the maximum number of bytes service limit.`,
    );
  }
  return new JsonText(output, text);
}

/** Step keys of the top strand, by state name and visit: the same few texts for every execution. */
const topStepKeys = new Map<string, string[]>();
const TOP_STEP_KEYS_KEPT = 10_000;
const TOP_VISITS_KEPT = 4;

/** `<prefix><state>#<visit>`, the journal key of a visit. */
function stepKeyOf(strand: Strand, name: string, visit: number): string {
  if (strand.keyPrefix !== '' || visit >= TOP_VISITS_KEPT) return `${strand.keyPrefix}${name}#${visit}`;
  let keys = topStepKeys.get(name);
  if (keys === undefined) {
    if (topStepKeys.size >= TOP_STEP_KEYS_KEPT) topStepKeys.clear();
    keys = [];
    topStepKeys.set(name, keys);
  }
  let key = keys[visit];
  if (key === undefined) {
    key = `${name}#${visit}`;
    keys[visit] = key;
  }
  return key;
}

/** Runs one execution: the states of its machine, one committed step at a time (see ExecutionJournal). */
export class ExecutionRunner {
  readonly cancellation = new Cancellation();
  private readonly journal: ExecutionJournal;
  private readonly environment: StateEnvironment;
  private readonly startTimeText: string;
  private readonly buildContext = (state: StateDefinition, strand: Strand, enteredMs: number) =>
    this.contextObject(state, strand, enteredMs);

  constructor(
    private readonly services: RunnerServices,
    readonly identity: ExecutionIdentity,
    resume: boolean,
  ) {
    this.journal = new ExecutionJournal(
      services.store,
      services.commits,
      identity.arn,
      resume,
      identity.redriveCount,
    );
    this.startTimeText = new Date(identity.startMs).toISOString();
    this.environment = {
      journal: this.journal,
      identity,
      services,
      sleepUntil: (dueMs, cancellation) => this.sleepUntil(dueMs, cancellation),
      runGraph: (graph, strand, input) => this.runGraph(graph, strand, input),
      invoke: (task, signal) =>
        runResource(services.resources, task.resource, task.kind, task.parameters, identity.arn, signal),
    };
  }

  /** Runs to the end; failures of the machine end the execution, never reject. */
  async run(): Promise<void> {
    const top = newStrand('', this.cancellation);
    const { machine, clockStartMs } = this.identity;
    let timeoutHandle: { cancel(): void } | undefined;
    try {
      // A redriven run continues a history that already starts with ExecutionStarted.
      if (this.identity.redriveCount === 0) {
        this.journal.emit(top, 'ExecutionStarted', 'executionStartedEventDetails', {
          input: JSON.stringify(this.identity.input),
          inputDetails: { truncated: false },
          roleArn: this.identity.roleArn,
        });
      }
      if (machine.timeoutSeconds !== undefined && machine.timeoutSeconds > 0) {
        const dueMs = clockStartMs + machine.timeoutSeconds * 1000;
        timeoutHandle = this.services.scheduler.at(dueMs, () => this.timeOut());
      }
      const output = await this.runGraph(machine, top, this.identity.input);
      const outputText = JSON.stringify(output ?? null);
      await this.finish({ status: 'SUCCEEDED', output: outputText, stopMs: Date.now() }, top.lastEventId);
    } catch (error) {
      if (error instanceof ExecutionHalted || this.journal.ended) return;
      const failure =
        error instanceof StateFailure
          ? error
          : new StateFailure('States.Runtime', error instanceof Error ? error.message : String(error));
      await this.finish(
        { status: 'FAILED', error: failure.error, cause: failure.causeText, stopMs: Date.now() },
        top.lastEventId,
      );
    } finally {
      timeoutHandle?.cancel();
      this.services.onFinished(this.identity.arn);
    }
  }

  /** StopExecution: writes ExecutionAborted and stops every strand. False if it had already ended. */
  stop(error: string | undefined, cause: string | undefined, nowMs: number): boolean {
    return this.halt('ABORTED', error, cause, nowMs);
  }

  /** Engine shutdown: stop working without writing anything; the next engine resumes from the journal. */
  abandon(): void {
    this.journal.abandon();
    this.cancellation.cancel('engine closed');
  }

  get isHalted(): boolean {
    return this.journal.ended;
  }

  private timeOut(): void {
    this.halt('TIMED_OUT', 'States.Timeout', undefined, Date.now());
  }

  private halt(
    status: 'ABORTED' | 'TIMED_OUT',
    error: string | undefined,
    cause: string | undefined,
    nowMs: number,
  ) {
    // An execution that ended already is not cancelled; journal.end still writes its queued end first.
    const running = !this.journal.ended;
    const ended = this.end({ status, error, cause, stopMs: nowMs });
    if (running) this.cancellation.cancel(status);
    return ended;
  }

  /** An end from outside the run (stop, time-out) goes through the journal now, then tells the engine. */
  private end(ending: ExecutionEnding, previousEventId?: number): boolean {
    const ended = this.journal.end(ending, previousEventId);
    if (ended) this.services.onEnded(this.identity.arn);
    return ended;
  }

  /** The run's own end, committed with the last steps of the executions ending alongside (see journal.finish). */
  private async finish(ending: ExecutionEnding, previousEventId: number): Promise<void> {
    if (await this.journal.finish(ending, previousEventId)) this.services.onEnded(this.identity.arn);
  }

  private async sleepUntil(dueMs: number, cancellation: Cancellation): Promise<void> {
    if (dueMs <= Date.now()) return;
    const { promise, handle } = this.services.scheduler.sleepUntil(dueMs);
    try {
      await cancellation.race(promise);
    } finally {
      handle.cancel();
    }
  }

  /** The run loop of one strand: each visit of a state is replayed from the journal or run and committed. */
  private async runGraph(graph: StateGraph, strand: Strand, input: unknown): Promise<unknown> {
    let name = graph.startAt;
    let data = input;
    /** `data`'s JSON text as the last state's exit event holds it, which the next entry shares. */
    let dataText: TextSource | undefined;
    let stepsWithoutWaiting = 0;
    for (;;) {
      strand.cancellation.throwIfCancelled();
      const state = graph.states.get(name);
      if (!state) throw new StateFailure('States.Runtime', `The state '${name}' does not exist.`);
      const visit = strand.visitCounts.get(name) ?? 0;
      strand.visitCounts.set(name, visit + 1);
      const stepKey = stepKeyOf(strand, name, visit);
      const recordedText = this.journal.recall(stepKey);
      let record: StepRecord;
      if (recordedText !== undefined) {
        record = JSON.parse(recordedText) as StepRecord;
        strand.ownVariables = record.own;
        strand.eventCount = record.eventSeq;
        strand.lastEventId = record.lastEventId;
        dataText = undefined;
      } else {
        let ran = this.runState(state, data, strand, stepKey, dataText);
        let waited = false;
        if (ran instanceof Promise) {
          ran = await ran;
          waited = true;
        }
        record = ran.record;
        dataText = ran.outputText;
        const entry =
          dataText === undefined || record.next === undefined
            ? JSON.stringify(record)
            : new StepEntry(dataText, record.next, strand);
        const committed = this.journal.commitStep(stepKey, entry, !UNAWAITED_STATES.has(state.type));
        if (committed) {
          await committed;
          waited = true;
        }
        // Steps that wait for nothing (Pass, Choice in memory) run on without a microtask each; now and then
        // the strand lets the event loop in (other requests, StopExecution, timers).
        stepsWithoutWaiting = waited ? 0 : stepsWithoutWaiting + 1;
        if (stepsWithoutWaiting >= STEPS_BETWEEN_TURNS) {
          stepsWithoutWaiting = 0;
          await nextTurn();
        }
      }
      if (record.error !== undefined || record.cause !== undefined || record.next === undefined) {
        throw new StateFailure(record.error, record.cause);
      }
      data = record.output;
      if (record.next === null) return data;
      name = record.next;
    }
  }

  private contextObject(state: StateDefinition, strand: Strand, enteredMs: number): Record<string, unknown> {
    const identity = this.identity;
    const context: Record<string, unknown> = {
      Execution: {
        Id: identity.arn,
        Input: identity.input,
        StartTime: this.startTimeText,
        Name: identity.name,
        RoleArn: identity.roleArn,
        ...(identity.synchronous ? {} : { RedriveCount: identity.redriveCount }),
      },
      StateMachine: { Id: identity.stateMachineArn, Name: identity.stateMachineName },
      State: { Name: state.name, EnteredTime: new Date(enteredMs).toISOString() },
    };
    if (strand.mapItem) context.Map = { Item: strand.mapItem };
    return context;
  }

  /**
   * One visit of one state: its events, its handler, its exit; a failure is recorded, never thrown. No
   * promise when the handler returned its result at once.
   */
  private runState(
    state: StateDefinition,
    input: unknown,
    strand: Strand,
    stepKey: string,
    inputText: TextSource | undefined,
  ): Maybe<RanState> {
    const enteredEventId = this.journal.emitState(
      strand,
      eventTypesOf(state.type).entered,
      state.name,
      inputText ?? new JsonText(input),
    );
    const run = new StateVisit(
      state,
      LANGUAGES[state.queryLanguage],
      input,
      strand,
      stepKey,
      enteredEventId,
      Date.now(),
      this.buildContext,
    );
    const handler = STATE_HANDLERS[state.type] as StateHandler;
    let result: Maybe<StateResult>;
    try {
      result = handler.run(run, this.environment);
    } catch (error) {
      return this.failedState(run, handler, error);
    }
    if (result instanceof Promise) {
      return result.then(
        (done) => this.exitedState(run, handler, done),
        (error: unknown) => this.failedState(run, handler, error),
      );
    }
    return this.exitedState(run, handler, result);
  }

  private exitedState(run: StateRun, handler: StateHandler, { output, next }: StateResult): RanState {
    const strand = run.strand;
    try {
      if (run.pendingAssignments) strand.ownVariables = { ...strand.ownVariables, ...run.pendingAssignments };
      const outputText = this.emitExited(run, output);
      return { record: passedRecord(strand, output, next), outputText };
    } catch (error) {
      return this.failedState(run, handler, error);
    }
  }

  private failedState(run: StateRun, handler: StateHandler, error: unknown): RanState {
    const journal = this.journal;
    if (error instanceof ExecutionHalted) {
      // A failed sibling branch or iteration stopped this one; a stopped execution writes nothing more.
      if (!journal.ended) journal.emit(run.strand, `${run.state.type}StateAborted`);
      throw error;
    }
    const failure = asFailure(error, run, journal);
    handler.onUncaughtFailure?.(run, this.environment);
    return { record: failedRecord(run.strand, failure.error, failure.causeText) };
  }

  /** Writes the exit event; returns the output's JSON text (written when first asked for, unless counted). */
  private emitExited(run: StateRun, output: unknown): TextSource {
    const outputText = certainlyFits(output, DATA_LIMIT_BYTES)
      ? new JsonText(output)
      : limitedText(output, run.state.name);
    const exitedType = eventTypesOf(run.state.type).exited;
    if (!run.pendingAssignments) {
      this.journal.emitState(run.strand, exitedType, run.state.name, outputText);
      return outputText;
    }
    const exited: Record<string, unknown> = {
      name: run.state.name,
      output: outputText.text,
      outputDetails: NOT_TRUNCATED,
      assignedVariables: Object.fromEntries(
        Object.entries(run.pendingAssignments).map(([variable, value]) => [variable, JSON.stringify(value)]),
      ),
      assignedVariablesDetails: { truncated: false },
    };
    this.journal.emitFrozen(run.strand, exitedType, 'stateExitedEventDetails', exited);
    return outputText;
  }
}
