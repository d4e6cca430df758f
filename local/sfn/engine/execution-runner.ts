import { randomBytes } from 'node:crypto';
import { StatesError } from '../errors';
import { Cancellation, ExecutionHalted } from './cancellation';
import type { CommitQueue } from './commit-queue';
import { errorMatches, type Retrier, retryDelayMs } from './error-matching';
import { evaluateJsonata, type JsonataScope, jsonataExpressionOf } from './jsonata-evaluator';
import {
  applyResultPath,
  evaluateChoiceRule,
  evaluateIntrinsic,
  evaluatePath,
  fieldPathNotFoundCause,
  invalidPathCause,
  looksLikeIntrinsic,
  PathNotFoundError,
  resolvePayloadTemplate,
  UndefinedVariableError,
} from './jsonpath-bridge';
import type { Scheduler } from './scheduler';
import type { EngineStore, PendingEvent, TaskTokenRow } from './store';
import {
  classifyResource,
  historyResourceNames,
  type ResourceOutcome,
  type ResourceSettings,
  runResource,
} from './task-resources';
import { parseIsoOffsetDateTime } from './timestamps';

type StateDefinition = Record<string, unknown>;
type QueryLanguage = 'JSONPath' | 'JSONata';

export interface MachineDefinition {
  StartAt?: string;
  States?: Record<string, StateDefinition>;
  QueryLanguage?: QueryLanguage;
  TimeoutSeconds?: number;
}

/** A failure that already carries its final error name and cause (no "An error occurred..." prefix added). */
export class StateFailure extends Error {
  constructor(
    readonly error: string | undefined,
    readonly causeText: string | undefined,
  ) {
    super(`${error ?? ''}: ${causeText ?? ''}`);
    this.name = 'StateFailure';
  }
}

/** What the engine lends each running execution. */
export interface RunnerServices {
  store: EngineStore;
  commits: CommitQueue;
  scheduler: Scheduler;
  resources: ResourceSettings;
  tokenWaiters: Map<string, (row: TaskTokenRow) => void>;
  onFinished: (executionArn: string) => void;
}

export interface ExecutionIdentity {
  arn: string;
  name: string;
  stateMachineArn: string;
  stateMachineName: string;
  roleArn: string;
  input: unknown;
  startMs: number;
  definition: MachineDefinition;
  /** StartSyncExecution: AWS leaves `Execution.RedriveCount` out of the context object. */
  synchronous?: boolean;
}

/** One sequential line of states: the whole execution, a Parallel branch or a Map iteration. */
interface Branch {
  key: string;
  own: Record<string, unknown>;
  outer: Record<string, unknown>;
  lastEventId: number;
  eventSeq: number;
  visits: Map<string, number>;
  cancellation: Cancellation;
  mapItem?: { Index: number; Value: unknown };
  /** A branch of a Parallel state (AWS aborts a Task whose failure ends such a branch). */
  parallelBranch?: boolean;
}

interface StepRecord {
  output?: unknown;
  next?: string | null;
  error?: string;
  cause?: string;
  own: Record<string, unknown>;
  eventSeq: number;
  lastEventId: number;
}

interface StateRun {
  name: string;
  state: StateDefinition;
  type: string;
  ql: QueryLanguage;
  input: unknown;
  branch: Branch;
  stepKey: string;
  enteredEventId: number;
  context: Record<string, unknown>;
  /** Assign results, applied only when the state exits: every field of the state sees the old values. */
  assigned?: Record<string, unknown>;
}

const DATA_LIMIT_BYTES = 256 * 1024;
const MAX_WAIT_SECONDS = 2_147_483_647;

function visibleVariables(branch: Branch): Record<string, unknown> {
  return { ...branch.outer, ...branch.own };
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

/**
 * Interprets one execution. Every finished state is a committed step in the journal (output, next state,
 * variables, history position); a restarted engine replays the journal, so committed states never run again.
 */
export class ExecutionRunner {
  private readonly journal: Map<string, string>;
  private readonly replayEventKeys: Map<string, number> | undefined;
  private nextEventId: number;
  private pending: PendingEvent[] = [];
  private halted = false;
  readonly cancellation = new Cancellation();

  constructor(
    private readonly services: RunnerServices,
    readonly identity: ExecutionIdentity,
    resume: boolean,
  ) {
    const store = services.store;
    this.journal = resume ? store.journal(identity.arn) : new Map();
    this.replayEventKeys = resume ? store.eventKeys(identity.arn) : undefined;
    this.nextEventId = resume ? store.maxEventId(identity.arn) : 0;
  }

  /** Runs to the end; failures of the machine end the execution, never reject. */
  async run(): Promise<void> {
    const top: Branch = {
      key: '',
      own: {},
      outer: {},
      lastEventId: 0,
      eventSeq: 0,
      visits: new Map(),
      cancellation: this.cancellation,
    };
    const executionTimeout = this.identity.definition.TimeoutSeconds;
    let timeoutHandle: { cancel(): void } | undefined;
    try {
      this.emit(top, 'ExecutionStarted', 'executionStartedEventDetails', {
        input: JSON.stringify(this.identity.input),
        inputDetails: { truncated: false },
        roleArn: this.identity.roleArn,
      });
      if (typeof executionTimeout === 'number' && executionTimeout > 0) {
        const dueMs = this.identity.startMs + executionTimeout * 1000;
        timeoutHandle = this.services.scheduler.at(dueMs, () => this.timeOut());
      }
      const rootQl = this.identity.definition.QueryLanguage ?? 'JSONPath';
      const output = await this.runStates(this.identity.definition, top, this.identity.input, rootQl);
      this.finish(top, 'SUCCEEDED', output, undefined, undefined);
    } catch (error) {
      if (error instanceof ExecutionHalted || this.halted) return;
      if (error instanceof StateFailure) {
        this.finish(top, 'FAILED', undefined, error.error, error.causeText);
      } else {
        const message = error instanceof Error ? error.message : String(error);
        this.finish(top, 'FAILED', undefined, 'States.Runtime', message);
      }
    } finally {
      timeoutHandle?.cancel();
      this.services.onFinished(this.identity.arn);
    }
  }

  /** StopExecution: writes ExecutionAborted and stops every branch. False if it had already ended. */
  stop(error: string | undefined, cause: string | undefined, nowMs: number): boolean {
    return this.halt('ABORTED', 'ExecutionAborted', 'executionAbortedEventDetails', error, cause, nowMs);
  }

  /** Engine shutdown: stop working without writing anything; the next engine resumes from the journal. */
  abandon(): void {
    this.halted = true;
    this.pending = [];
    this.cancellation.cancel('engine closed');
  }

  get isHalted(): boolean {
    return this.halted;
  }

  private timeOut(): void {
    this.halt(
      'TIMED_OUT',
      'ExecutionTimedOut',
      'executionTimedOutEventDetails',
      'States.Timeout',
      undefined,
      Date.now(),
    );
  }

  private halt(
    status: string,
    eventType: string,
    detailsKey: string,
    error: string | undefined,
    cause: string | undefined,
    nowMs: number,
  ): boolean {
    if (this.halted) return false;
    const store = this.services.store;
    const details: Record<string, unknown> = {};
    if (error !== undefined) details.error = error;
    if (cause !== undefined) details.cause = cause;
    const id = ++this.nextEventId;
    this.pending.push({
      key: 'execution|end',
      id,
      previousEventId: id - 1,
      type: eventType,
      timestampMs: nowMs,
      details: JSON.stringify({ [detailsKey]: details }),
    });
    const finished = store.transaction(() => {
      const changed = store.finishExecution({
        arn: this.identity.arn,
        status,
        output: null,
        error: error ?? null,
        cause: cause ?? null,
        stopMs: nowMs,
      });
      if (!changed) return false;
      store.insertEvents(this.identity.arn, this.pending);
      store.closeTokensOf(this.identity.arn);
      return true;
    });
    this.pending = [];
    this.halted = true;
    this.cancellation.cancel(status);
    return finished;
  }

  private finish(
    top: Branch,
    status: string,
    output: unknown,
    error: string | undefined,
    cause: string | undefined,
  ): void {
    if (this.halted) return;
    const nowMs = Date.now();
    let outputText: string | null = null;
    if (status === 'SUCCEEDED') {
      outputText = JSON.stringify(output ?? null);
      this.emit(top, 'ExecutionSucceeded', 'executionSucceededEventDetails', {
        output: outputText,
        outputDetails: { truncated: false },
      });
    } else {
      const details: Record<string, unknown> = {};
      if (error !== undefined) details.error = error;
      if (cause !== undefined) details.cause = cause;
      this.emit(top, 'ExecutionFailed', 'executionFailedEventDetails', details);
    }
    const store = this.services.store;
    store.transaction(() => {
      store.insertEvents(this.identity.arn, this.pending);
      store.finishExecution({
        arn: this.identity.arn,
        status,
        output: outputText,
        error: error ?? null,
        cause: cause ?? null,
        stopMs: nowMs,
      });
      store.closeTokensOf(this.identity.arn);
    });
    this.pending = [];
    this.halted = true;
  }

  // ---------------------------------------------------------------- history and journal

  private emit(branch: Branch, type: string, detailsKey: string | undefined, details?: unknown): number {
    if (this.halted) throw new ExecutionHalted('execution ended');
    const key = `${branch.key}|${branch.eventSeq++}`;
    const replayed = this.replayEventKeys?.get(key);
    if (replayed !== undefined) {
      branch.lastEventId = replayed;
      return replayed;
    }
    const id = ++this.nextEventId;
    this.pending.push({
      key,
      id,
      previousEventId: branch.lastEventId,
      type,
      timestampMs: Date.now(),
      details: detailsKey ? JSON.stringify({ [detailsKey]: details }) : null,
    });
    branch.lastEventId = id;
    return id;
  }

  /**
   * Writes the buffered history and journal entries; commits of concurrent executions share one transaction
   * (see CommitQueue). Await the result before acting on what was committed.
   */
  private commit(entries: [string, string][] = []): Promise<void> {
    if (this.halted) throw new ExecutionHalted('execution ended');
    if (this.pending.length === 0 && entries.length === 0) return Promise.resolve();
    const store = this.services.store;
    const events = this.pending;
    const arn = this.identity.arn;
    this.pending = [];
    for (const [key, value] of entries) this.journal.set(key, value);
    return this.services.commits.enqueue(() => {
      store.insertEvents(arn, events);
      for (const [key, value] of entries) store.putJournal(arn, key, value);
    });
  }

  /** A value computed once per execution (a due time, an attempt's outcome), the same after a restart. */
  private async remember<T>(key: string, compute: () => T): Promise<T> {
    const known = this.journal.get(key);
    if (known !== undefined) return JSON.parse(known) as T;
    const value = compute();
    await this.commit([[key, JSON.stringify(value)]]);
    return value;
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

  // ---------------------------------------------------------------- states

  private async runStates(
    machine: MachineDefinition,
    branch: Branch,
    input: unknown,
    inheritedQl: QueryLanguage,
  ): Promise<unknown> {
    const states = machine.States ?? {};
    const ql = machine.QueryLanguage ?? inheritedQl;
    let name = machine.StartAt ?? '';
    let data = input;
    for (;;) {
      branch.cancellation.throwIfCancelled();
      const state = states[name];
      if (!state) throw new StateFailure('States.Runtime', `The state '${name}' does not exist.`);
      const visit = branch.visits.get(name) ?? 0;
      branch.visits.set(name, visit + 1);
      const stepKey = `${branch.key}${name}#${visit}`;
      const recordedText = this.journal.get(stepKey);
      let record: StepRecord;
      if (recordedText !== undefined) {
        record = JSON.parse(recordedText) as StepRecord;
        branch.own = record.own;
        branch.eventSeq = record.eventSeq;
        branch.lastEventId = record.lastEventId;
      } else {
        record = await this.runOneState(name, state, data, branch, ql, stepKey);
        await this.commit([[stepKey, JSON.stringify(record)]]);
      }
      if (record.error !== undefined || record.cause !== undefined || record.next === undefined) {
        throw new StateFailure(record.error, record.cause);
      }
      data = record.output;
      if (record.next === null) return data;
      name = record.next;
    }
  }

  private async runOneState(
    name: string,
    state: StateDefinition,
    input: unknown,
    branch: Branch,
    inheritedQl: QueryLanguage,
    stepKey: string,
  ): Promise<StepRecord> {
    const type = String(state.Type);
    const ql = (state.QueryLanguage as QueryLanguage | undefined) ?? inheritedQl;
    const enteredEventId = this.emit(branch, `${type}StateEntered`, 'stateEnteredEventDetails', {
      name,
      input: JSON.stringify(input),
      inputDetails: { truncated: false },
    });
    const context: Record<string, unknown> = {
      Execution: {
        Id: this.identity.arn,
        Input: this.identity.input,
        StartTime: new Date(this.identity.startMs).toISOString(),
        Name: this.identity.name,
        RoleArn: this.identity.roleArn,
        ...(this.identity.synchronous ? {} : { RedriveCount: 0 }),
      },
      StateMachine: { Id: this.identity.stateMachineArn, Name: this.identity.stateMachineName },
      State: { Name: name, EnteredTime: new Date().toISOString() },
    };
    if (branch.mapItem) context.Map = { Item: branch.mapItem };
    const run: StateRun = { name, state, type, ql, input, branch, stepKey, enteredEventId, context };
    const snapshot = () => ({ own: branch.own, eventSeq: branch.eventSeq, lastEventId: branch.lastEventId });
    try {
      const { output, next } = await this.dispatchState(run);
      if (run.assigned) branch.own = { ...branch.own, ...run.assigned };
      const outputText = JSON.stringify(output ?? null);
      if (Buffer.byteLength(outputText) > DATA_LIMIT_BYTES) {
        throw new StateFailure(
          'States.DataLimitExceeded',
          `The state/task '${name}' returned a result with a size exceeding the maximum number of bytes service limit.`,
        );
      }
      if (type !== 'Fail') {
        const exited: Record<string, unknown> = {
          name,
          output: outputText,
          outputDetails: { truncated: false },
        };
        if (run.assigned) {
          exited.assignedVariables = Object.fromEntries(
            Object.entries(run.assigned).map(([variable, value]) => [variable, JSON.stringify(value)]),
          );
          exited.assignedVariablesDetails = { truncated: false };
        }
        this.emit(branch, `${type}StateExited`, 'stateExitedEventDetails', exited);
      }
      return { output, next, ...snapshot() };
    } catch (error) {
      if (error instanceof ExecutionHalted) {
        // A failed sibling branch or iteration stopped this one; a stopped execution writes nothing more.
        if (!this.halted) this.emit(branch, `${type}StateAborted`, undefined);
        throw error;
      }
      const failure = this.asFailure(error, run);
      // AWS records TaskStateAborted after the TaskFailed of a Task whose uncaught error ends a Parallel branch.
      if (type === 'Task' && branch.parallelBranch) this.emit(branch, 'TaskStateAborted', undefined);
      return { error: failure.error, cause: failure.causeText, ...snapshot() };
    }
  }

  /** Turns an evaluation error into the failure AWS reports, prefixed with the state and its entry event. */
  private asFailure(error: unknown, run: StateRun): StateFailure {
    if (error instanceof StateFailure) return error;
    const where = `An error occurred while executing the state '${run.name}' (entered at the event id #${run.enteredEventId}). `;
    if (error instanceof StatesError) {
      const failure = new StateFailure(error.error, `${where}${error.causeText}`);
      if (error.error === 'States.QueryEvaluationError') {
        this.emit(run.branch, 'EvaluationFailed', 'evaluationFailedEventDetails', {
          error: failure.error,
          cause: failure.causeText,
          state: run.name,
        });
      }
      return failure;
    }
    const message = error instanceof Error ? error.message : String(error);
    return new StateFailure('States.Runtime', `${where}${message}`);
  }

  private async dispatchState(run: StateRun): Promise<{ output: unknown; next: string | null }> {
    switch (run.type) {
      case 'Pass':
        return this.runPass(run);
      case 'Succeed':
        return { output: await this.simpleOutput(run, run.input), next: null };
      case 'Fail':
        return this.runFail(run);
      case 'Choice':
        return this.runChoice(run);
      case 'Wait':
        return this.runWait(run);
      case 'Task':
      case 'Parallel':
      case 'Map':
        return this.runWithRetryAndCatch(run);
      default:
        throw new StateFailure('States.Runtime', `Unsupported state type '${run.type}'.`);
    }
  }

  private nextOf(state: StateDefinition): string | null {
    return state.End === true || typeof state.Next !== 'string' ? null : state.Next;
  }

  // ---------------------------------------------------------------- evaluation helpers

  private jsonataScope(run: StateRun, extra: Record<string, unknown> = {}): JsonataScope {
    return {
      states: { input: run.input, context: run.context, ...extra },
      variables: visibleVariables(run.branch),
    };
  }

  /** Evaluates `{% %}` strings anywhere inside a JSONata-state field value. */
  private async evaluateTemplate(value: unknown, scope: JsonataScope, fieldPath: string): Promise<unknown> {
    const expression = jsonataExpressionOf(value);
    if (expression !== undefined) return evaluateJsonata(expression, scope, fieldPath);
    if (Array.isArray(value)) {
      const items: unknown[] = [];
      for (const [index, item] of value.entries()) {
        items.push(await this.evaluateTemplate(item, scope, `${fieldPath}[${index}]`));
      }
      return items;
    }
    if (value && typeof value === 'object') {
      const resolved: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(value)) {
        resolved[key] = await this.evaluateTemplate(entry, scope, `${fieldPath}/${key}`);
      }
      return resolved;
    }
    return value;
  }

  private pathScope(run: StateRun) {
    return { context: run.context, variables: visibleVariables(run.branch) };
  }

  /** The value a Wait state's SecondsPath / TimestampPath selects, failing the way AWS does when it selects nothing. */
  private waitPathValue(
    field: 'SecondsPath' | 'TimestampPath',
    path: string,
    data: unknown,
    run: StateRun,
  ): unknown {
    try {
      return evaluatePath(path, data, this.pathScope(run));
    } catch {
      throw new StatesError(
        'States.Runtime',
        `The ${field} parameter does not reference an input value: ${path}`,
      );
    }
  }

  /** InputPath / OutputPath / ItemsPath: `null` gives `{}`, a missing path is a States.Runtime failure. */
  private selectPath(path: unknown, data: unknown, run: StateRun): unknown {
    if (path === null) return {};
    if (path === undefined || path === '$') return data;
    try {
      return evaluatePath(String(path), data, this.pathScope(run));
    } catch (error) {
      if (error instanceof PathNotFoundError || error instanceof UndefinedVariableError) {
        throw new StatesError('States.Runtime', invalidPathCause(String(path), error));
      }
      throw error;
    }
  }

  private template(template: unknown, input: unknown, run: StateRun): unknown {
    return resolvePayloadTemplate(template, { input, ...this.pathScope(run) });
  }

  private resultPath(input: unknown, result: unknown, resultPath: unknown): unknown {
    return applyResultPath(input, result, resultPath as string | null | undefined);
  }

  /** Assign: every expression sees the variables as they were before this state assigned any. */
  private async assign(
    assignment: unknown,
    run: StateRun,
    jsonataExtra: Record<string, unknown>,
    jsonPathInput: unknown,
  ): Promise<void> {
    if (!assignment || typeof assignment !== 'object') return;
    let values: Record<string, unknown>;
    if (run.ql === 'JSONata') {
      values = asRecord(
        await this.evaluateTemplate(assignment, this.jsonataScope(run, jsonataExtra), 'Assign'),
      );
    } else {
      values = asRecord(this.template(assignment, jsonPathInput, run));
    }
    run.assigned = { ...run.assigned, ...values };
  }

  private async jsonataOutput(run: StateRun, defaultOutput: unknown, extra: Record<string, unknown>) {
    if (run.state.Output === undefined) return defaultOutput;
    return this.evaluateTemplate(run.state.Output, this.jsonataScope(run, extra), 'Output');
  }

  /** Succeed (and the shape shared by states with no result): InputPath → OutputPath, or JSONata Output. */
  private async simpleOutput(run: StateRun, input: unknown): Promise<unknown> {
    if (run.ql === 'JSONata') {
      const output = await this.jsonataOutput(run, input, {});
      await this.assign(run.state.Assign, run, {}, input);
      return output;
    }
    const effective = this.selectPath(run.state.InputPath, input, run);
    await this.assign(run.state.Assign, run, {}, effective);
    return this.selectPath(run.state.OutputPath, effective, run);
  }

  // ---------------------------------------------------------------- Pass, Fail, Choice, Wait

  private async runPass(run: StateRun): Promise<{ output: unknown; next: string | null }> {
    const { state } = run;
    if (run.ql === 'JSONata') {
      const output = await this.jsonataOutput(run, run.input, {});
      await this.assign(state.Assign, run, {}, run.input);
      return { output, next: this.nextOf(state) };
    }
    const effective = this.selectPath(state.InputPath, run.input, run);
    let result = effective;
    if (state.Parameters !== undefined) result = this.template(state.Parameters, effective, run);
    if (state.Result !== undefined) result = state.Result;
    await this.assign(state.Assign, run, {}, result);
    const combined = this.resultPath(run.input, result, state.ResultPath);
    return { output: this.selectPath(state.OutputPath, combined, run), next: this.nextOf(state) };
  }

  private async runFail(run: StateRun): Promise<never> {
    const { state } = run;
    let error: unknown = state.Error;
    let cause: unknown = state.Cause;
    if (run.ql === 'JSONata') {
      const scope = this.jsonataScope(run);
      if (error !== undefined) error = await this.evaluateTemplate(error, scope, 'Error');
      if (cause !== undefined) cause = await this.evaluateTemplate(cause, scope, 'Cause');
    } else {
      const readPath = (path: unknown, field: string) => {
        if (looksLikeIntrinsic(String(path))) {
          return evaluateIntrinsic(String(path).trim(), { input: run.input, ...this.pathScope(run) });
        }
        try {
          return evaluatePath(String(path), run.input, this.pathScope(run));
        } catch (failure) {
          if (failure instanceof PathNotFoundError || failure instanceof UndefinedVariableError) {
            throw new StatesError('States.Runtime', fieldPathNotFoundCause(String(path), field, run.input));
          }
          throw failure;
        }
      };
      if (state.ErrorPath !== undefined) error = readPath(state.ErrorPath, 'ErrorPath');
      if (state.CausePath !== undefined) cause = readPath(state.CausePath, 'CausePath');
    }
    const text = (value: unknown) =>
      value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
    throw new StateFailure(text(error), text(cause));
  }

  private async runChoice(run: StateRun): Promise<{ output: unknown; next: string | null }> {
    const { state } = run;
    const choices = Array.isArray(state.Choices) ? (state.Choices as StateDefinition[]) : [];
    if (run.ql === 'JSONata') {
      const scope = this.jsonataScope(run);
      for (const [index, rule] of choices.entries()) {
        const condition = await this.evaluateTemplate(rule.Condition, scope, `Choices[${index}]/Condition`);
        if (typeof condition !== 'boolean') {
          throw new StatesError(
            'States.QueryEvaluationError',
            `The JSONata expression '${jsonataExpressionOf(rule.Condition) ?? String(rule.Condition)}' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was '${jsonTypeName(condition)}' for value: ${JSON.stringify(condition)}`,
          );
        }
        if (condition) return this.leaveChoice(run, rule, String(rule.Next));
      }
    } else {
      const effective = this.selectPath(state.InputPath, run.input, run);
      for (const rule of choices) {
        if (evaluateChoiceRule(rule, { input: effective, ...this.pathScope(run) })) {
          return this.leaveChoice(run, rule, String(rule.Next), effective);
        }
      }
    }
    if (typeof state.Default === 'string') return this.leaveChoice(run, undefined, state.Default);
    throw new StateFailure('States.NoChoiceMatched', 'No Matches!');
  }

  private async leaveChoice(
    run: StateRun,
    rule: StateDefinition | undefined,
    next: string,
    effectiveInput?: unknown,
  ): Promise<{ output: unknown; next: string }> {
    const { state } = run;
    if (run.ql === 'JSONata') {
      const outputTemplate = rule?.Output ?? state.Output;
      const scope = this.jsonataScope(run);
      const output =
        outputTemplate === undefined
          ? run.input
          : await this.evaluateTemplate(outputTemplate, scope, 'Output');
      await this.assign(rule?.Assign ?? state.Assign, run, {}, run.input);
      return { output, next };
    }
    const effective = effectiveInput ?? this.selectPath(state.InputPath, run.input, run);
    await this.assign(rule?.Assign ?? state.Assign, run, {}, effective);
    return { output: this.selectPath(state.OutputPath, effective, run), next };
  }

  private async runWait(run: StateRun): Promise<{ output: unknown; next: string | null }> {
    const dueKey = `${run.stepKey}:due`;
    const stored = this.journal.get(dueKey);
    let dueMs: number;
    if (stored !== undefined) {
      dueMs = JSON.parse(stored) as number;
    } else {
      const resolved = await this.jsonataWaitFields(run);
      dueMs = await this.remember(dueKey, () => this.waitDueTime(run, resolved));
    }
    await this.sleepUntil(dueMs, run.branch.cancellation);
    return { output: await this.simpleOutput(run, run.input), next: this.nextOf(run.state) };
  }

  /** JSONata `Seconds` / `Timestamp` expressions, evaluated before the due time is fixed. */
  private async jsonataWaitFields(run: StateRun): Promise<{ seconds?: unknown; timestamp?: unknown }> {
    if (run.ql !== 'JSONata') return {};
    const scope = this.jsonataScope(run);
    const resolved: { seconds?: unknown; timestamp?: unknown } = {};
    if (run.state.Seconds !== undefined) {
      resolved.seconds = await this.evaluateTemplate(run.state.Seconds, scope, 'Seconds');
      if (
        typeof resolved.seconds !== 'number' ||
        !Number.isInteger(resolved.seconds) ||
        resolved.seconds < 0
      ) {
        throw new StatesError(
          'States.QueryEvaluationError',
          `The JSONata expression '${jsonataExpressionOf(run.state.Seconds) ?? ''}' specified for the field 'Seconds' returned an unexpected result type. Expected 'integer', but was '${jsonTypeName(resolved.seconds)}' for value: ${JSON.stringify(resolved.seconds)}`,
        );
      }
    }
    if (run.state.Timestamp !== undefined) {
      resolved.timestamp = await this.evaluateTemplate(run.state.Timestamp, scope, 'Timestamp');
      const ms =
        typeof resolved.timestamp === 'string' ? parseIsoOffsetDateTime(resolved.timestamp) : undefined;
      if (ms === undefined) {
        const shown =
          typeof resolved.timestamp === 'string' ? resolved.timestamp : JSON.stringify(resolved.timestamp);
        throw new StatesError(
          'States.QueryEvaluationError',
          `The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: ${shown}`,
        );
      }
    }
    return resolved;
  }

  private waitDueTime(run: StateRun, resolved: { seconds?: unknown; timestamp?: unknown }): number {
    const { state } = run;
    const now = Date.now();
    const fromSeconds = (seconds: number) => {
      if (seconds > MAX_WAIT_SECONDS)
        throw new StatesError('States.Runtime', 'Wait state delay is too long.');
      return now + seconds * 1000;
    };
    const fromTimestamp = (ms: number) => {
      if ((ms - now) / 1000 > MAX_WAIT_SECONDS) {
        throw new StatesError('States.Runtime', 'Wait state delay is too long.');
      }
      return ms;
    };
    const seconds = resolved.seconds ?? state.Seconds;
    if (typeof seconds === 'number') return fromSeconds(seconds);
    const timestamp = resolved.timestamp ?? state.Timestamp;
    if (typeof timestamp === 'string') {
      const ms = parseIsoOffsetDateTime(timestamp);
      if (ms === undefined) {
        throw new StatesError(
          'States.Runtime',
          `The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: ${timestamp}`,
        );
      }
      return fromTimestamp(ms);
    }
    const effective = this.selectPath(state.InputPath, run.input, run);
    if (typeof state.SecondsPath === 'string') {
      const path = state.SecondsPath;
      const value = this.waitPathValue('SecondsPath', path, effective, run);
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        throw new StatesError(
          'States.Runtime',
          `The SecondsPath parameter cannot be parsed as a long value: ${path} == ${JSON.stringify(value)}`,
        );
      }
      if (value < 0) {
        throw new StatesError(
          'States.Runtime',
          `The SecondsPath parameter references a negative value: ${path} == ${value}`,
        );
      }
      return fromSeconds(value);
    }
    if (typeof state.TimestampPath === 'string') {
      const path = state.TimestampPath;
      const value = this.waitPathValue('TimestampPath', path, effective, run);
      const ms = typeof value === 'string' ? parseIsoOffsetDateTime(value) : undefined;
      if (ms === undefined) {
        const shown = typeof value === 'string' ? value : JSON.stringify(value);
        throw new StatesError(
          'States.Runtime',
          `The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: ${path} == ${shown}`,
        );
      }
      return fromTimestamp(ms);
    }
    return now;
  }

  // ---------------------------------------------------------------- Task, Parallel, Map: retry and catch

  private async runWithRetryAndCatch(run: StateRun): Promise<{ output: unknown; next: string | null }> {
    const { state } = run;
    const retriers = Array.isArray(state.Retry) ? (state.Retry as Retrier[]) : [];
    const retryCounts = retriers.map(() => 0);
    for (let attempt = 0; ; attempt++) {
      let failure: StateFailure;
      try {
        const result = await this.runAttempt(run, attempt);
        return await this.afterResult(run, result);
      } catch (error) {
        if (error instanceof ExecutionHalted) throw error;
        failure = this.asFailure(error, run);
      }
      const errorName = failure.error ?? '';
      const retrierIndex = retriers.findIndex((retrier) => errorMatches(retrier.ErrorEquals, errorName));
      const retrier = retriers[retrierIndex];
      if (retrier && errorName !== 'States.Runtime' && errorName !== 'States.DataLimitExceeded') {
        const used = retryCounts[retrierIndex] ?? 0;
        if (used < (retrier.MaxAttempts ?? 3)) {
          retryCounts[retrierIndex] = used + 1;
          const dueMs = await this.remember(
            `${run.stepKey}:retry${attempt}`,
            () => Date.now() + retryDelayMs(retrier, used),
          );
          await this.commit();
          await this.sleepUntil(dueMs, run.branch.cancellation);
          continue;
        }
      }
      // Map and Parallel report their failure once, after the last attempt (a States.Runtime ends at once).
      if ((run.type === 'Map' || run.type === 'Parallel') && errorName !== 'States.Runtime') {
        this.emit(run.branch, `${run.type}StateFailed`, undefined);
      }
      return this.catchFailure(run, failure);
    }
  }

  private async catchFailure(
    run: StateRun,
    failure: StateFailure,
  ): Promise<{ output: unknown; next: string }> {
    const catchers = Array.isArray(run.state.Catch) ? (run.state.Catch as StateDefinition[]) : [];
    const errorName = failure.error ?? '';
    const catcher = catchers.find((candidate) => errorMatches(candidate.ErrorEquals, errorName));
    if (!catcher || typeof catcher.Next !== 'string') throw failure;
    const errorOutput = { Error: failure.error ?? '', Cause: failure.causeText ?? '' };
    run.assigned = undefined;
    if (run.ql === 'JSONata') {
      const extra = { errorOutput };
      const scope = this.jsonataScope(run, extra);
      const output =
        catcher.Output === undefined
          ? errorOutput
          : await this.evaluateTemplate(catcher.Output, scope, 'Output');
      await this.assign(catcher.Assign, run, extra, errorOutput);
      return { output, next: catcher.Next };
    }
    await this.assign(catcher.Assign, run, {}, errorOutput);
    return { output: this.resultPath(run.input, errorOutput, catcher.ResultPath), next: catcher.Next };
  }

  private async afterResult(
    run: StateRun,
    result: unknown,
  ): Promise<{ output: unknown; next: string | null }> {
    const { state } = run;
    if (run.ql === 'JSONata') {
      const extra = { result };
      const output = await this.jsonataOutput(run, result, extra);
      await this.assign(state.Assign, run, extra, result);
      return { output, next: this.nextOf(state) };
    }
    const selected =
      state.ResultSelector !== undefined ? this.template(state.ResultSelector, result, run) : result;
    await this.assign(state.Assign, run, {}, selected);
    const combined = this.resultPath(run.input, selected, state.ResultPath);
    return { output: this.selectPath(state.OutputPath, combined, run), next: this.nextOf(state) };
  }

  private async runAttempt(run: StateRun, attempt: number): Promise<unknown> {
    if (run.type === 'Task') return this.runTaskAttempt(run, attempt);
    if (run.type === 'Parallel') return this.runParallelAttempt(run, attempt);
    return this.runMapAttempt(run, attempt);
  }

  /** Arguments (JSONata) or InputPath + Parameters (JSONPath) of a Task or Parallel. */
  private async effectiveArguments(run: StateRun, context: Record<string, unknown>): Promise<unknown> {
    const { state } = run;
    const runWithContext = { ...run, context };
    if (run.ql === 'JSONata') {
      if (state.Arguments === undefined) return run.type === 'Task' ? {} : run.input;
      return this.evaluateTemplate(state.Arguments, this.jsonataScope(runWithContext), 'Arguments');
    }
    const effective = this.selectPath(state.InputPath, run.input, runWithContext);
    if (state.Parameters === undefined) return effective;
    return this.template(state.Parameters, effective, runWithContext);
  }

  private async numericField(run: StateRun, field: string): Promise<number | undefined> {
    const { state } = run;
    const value = state[field];
    if (typeof value === 'number') return value;
    if (run.ql === 'JSONata' && typeof value === 'string') {
      const evaluated = await this.evaluateTemplate(value, this.jsonataScope(run), field);
      if (typeof evaluated !== 'number' || !Number.isInteger(evaluated) || evaluated <= 0) {
        throw new StatesError(
          'States.QueryEvaluationError',
          `The JSONata expression '${jsonataExpressionOf(value)}' specified for the field '${field}' returned an unexpected result type. Expected 'integer', but was '${jsonTypeName(evaluated)}' for value: ${JSON.stringify(evaluated)}`,
        );
      }
      return evaluated;
    }
    const pathValue = state[`${field}Path`];
    if (typeof pathValue === 'string') {
      const effective = this.selectPath(state.InputPath, run.input, run);
      const evaluated = evaluatePath(pathValue, effective, this.pathScope(run));
      if (typeof evaluated !== 'number' || !Number.isInteger(evaluated) || evaluated <= 0) {
        throw new StatesError(
          'States.Runtime',
          `The ${field}Path field refers to value "${JSON.stringify(evaluated)}" which is not a valid positive integer: ${pathValue}`,
        );
      }
      return evaluated;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- Task

  private async runTaskAttempt(run: StateRun, attempt: number): Promise<unknown> {
    const { state, branch } = run;
    const resource = String(state.Resource ?? '');
    const kind = classifyResource(resource);
    const waitForToken =
      (kind.kind === 'lambda-invoke' || kind.kind === 'events-put') && kind.waitForTaskToken;
    const attemptKey = `${run.stepKey}:a${attempt}`;
    const store = this.services.store;
    const tokenRow = waitForToken ? store.tokenForStep(this.identity.arn, attemptKey) : undefined;
    const token = tokenRow?.token ?? (waitForToken ? randomBytes(48).toString('base64url') : undefined);
    const context: Record<string, unknown> = {
      ...run.context,
      State: { ...asRecord(run.context.State), RetryCount: attempt },
    };
    if (token) context.Task = { Token: token };
    const timeoutSeconds =
      (await this.numericField(run, 'TimeoutSeconds')) ?? (waitForToken ? undefined : 60);
    const heartbeatSeconds = await this.numericField(run, 'HeartbeatSeconds');
    const parameters = await this.effectiveArguments(run, context);
    const names = historyResourceNames(resource);
    const legacy = kind.kind === 'lambda-legacy';
    if (legacy) {
      this.emit(branch, 'LambdaFunctionScheduled', 'lambdaFunctionScheduledEventDetails', {
        resource,
        input: JSON.stringify(parameters),
        inputDetails: { truncated: false },
        ...(timeoutSeconds !== undefined && state.TimeoutSeconds !== undefined
          ? { timeoutInSeconds: timeoutSeconds }
          : {}),
      });
      this.emit(branch, 'LambdaFunctionStarted', undefined);
    } else {
      const scheduled: Record<string, unknown> = {
        resourceType: names.resourceType,
        resource: names.resource,
        region: this.services.resources.region,
        parameters: JSON.stringify(parameters),
      };
      if (state.TimeoutSeconds !== undefined || state.TimeoutSecondsPath !== undefined) {
        scheduled.timeoutInSeconds = timeoutSeconds;
      }
      if (heartbeatSeconds !== undefined) scheduled.heartbeatInSeconds = heartbeatSeconds;
      this.emit(branch, 'TaskScheduled', 'taskScheduledEventDetails', scheduled);
      this.emit(branch, 'TaskStarted', 'taskStartedEventDetails', {
        resourceType: names.resourceType,
        resource: names.resource,
      });
    }

    const knownOutcome = this.journal.get(`${attemptKey}:outcome`);
    const outcome: ResourceOutcome =
      knownOutcome !== undefined
        ? (JSON.parse(knownOutcome) as ResourceOutcome)
        : await this.performTask(run, {
            attemptKey,
            resource,
            kind,
            parameters,
            token,
            tokenRow,
            timeoutSeconds,
            heartbeatSeconds,
          });

    if ('result' in outcome) {
      if (legacy) {
        this.emit(branch, 'LambdaFunctionSucceeded', 'lambdaFunctionSucceededEventDetails', {
          output: JSON.stringify(outcome.result),
          outputDetails: { truncated: false },
        });
      } else {
        this.emit(branch, 'TaskSucceeded', 'taskSucceededEventDetails', {
          resourceType: names.resourceType,
          resource: names.resource,
          output: JSON.stringify(outcome.result),
          outputDetails: { truncated: false },
        });
      }
      return outcome.result;
    }
    const timedOut = outcome.error === 'States.Timeout' || outcome.error === 'States.HeartbeatTimeout';
    const details: Record<string, unknown> = { error: outcome.error };
    if (outcome.cause !== undefined && outcome.cause !== '') details.cause = outcome.cause;
    if (legacy) {
      this.emit(
        branch,
        timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed',
        timedOut ? 'lambdaFunctionTimedOutEventDetails' : 'lambdaFunctionFailedEventDetails',
        details,
      );
    } else {
      this.emit(
        branch,
        timedOut ? 'TaskTimedOut' : 'TaskFailed',
        timedOut ? 'taskTimedOutEventDetails' : 'taskFailedEventDetails',
        {
          resourceType: names.resourceType,
          resource: names.resource,
          ...details,
        },
      );
    }
    throw new StateFailure(outcome.error, outcome.cause);
  }

  /** One attempt of the resource, with its timeout and, for `.waitForTaskToken`, the callback. */
  private async performTask(
    run: StateRun,
    task: {
      attemptKey: string;
      resource: string;
      kind: ReturnType<typeof classifyResource>;
      parameters: unknown;
      token: string | undefined;
      tokenRow: TaskTokenRow | undefined;
      timeoutSeconds: number | undefined;
      heartbeatSeconds: number | undefined;
    },
  ): Promise<ResourceOutcome> {
    const cancellation = new Cancellation(run.branch.cancellation);
    const abort = new AbortController();
    cancellation.onCancel(() => abort.abort());
    const timers: { cancel(): void }[] = [];
    try {
      let outcome: ResourceOutcome;
      if (task.token) {
        outcome = await this.performCallbackTask(run, task, task.token, cancellation, abort, timers);
      } else {
        const dueMs = await this.remember(`${task.attemptKey}:deadline`, () =>
          task.timeoutSeconds === undefined ? null : Date.now() + task.timeoutSeconds * 1000,
        );
        const timeout = new Promise<ResourceOutcome>((resolve) => {
          if (dueMs === null) return;
          timers.push(
            this.services.scheduler.at(dueMs, () => {
              abort.abort();
              resolve({ error: 'States.Timeout', cause: '' });
            }),
          );
        });
        outcome = await cancellation.race(
          Promise.race([
            runResource(
              this.services.resources,
              task.resource,
              task.kind,
              task.parameters,
              this.identity.arn,
              abort.signal,
            ).catch((error: unknown): ResourceOutcome => {
              if (abort.signal.aborted) return { error: 'States.Timeout', cause: '' };
              return {
                error: 'States.TaskFailed',
                cause: error instanceof Error ? error.message : String(error),
              };
            }),
            timeout,
          ]),
        );
      }
      if (task.token) {
        // The attempt is over (e.g. the invoke itself failed): a late answer must meet TaskTimedOut.
        this.services.store.answerToken({
          token: task.token,
          status: 'CLOSED',
          output: null,
          error: null,
          cause: null,
        });
      }
      await this.commit([[`${task.attemptKey}:outcome`, JSON.stringify(outcome)]]);
      return outcome;
    } finally {
      for (const timer of timers) timer.cancel();
      cancellation.dispose();
      if (task.token) this.services.tokenWaiters.delete(task.token);
    }
  }

  private async performCallbackTask(
    run: StateRun,
    task: {
      attemptKey: string;
      resource: string;
      kind: ReturnType<typeof classifyResource>;
      parameters: unknown;
      tokenRow: TaskTokenRow | undefined;
      timeoutSeconds: number | undefined;
      heartbeatSeconds: number | undefined;
    },
    token: string,
    cancellation: Cancellation,
    abort: AbortController,
    timers: { cancel(): void }[],
  ): Promise<ResourceOutcome> {
    const store = this.services.store;
    let row = task.tokenRow;
    if (!row) {
      const now = Date.now();
      const newRow = {
        token,
        executionArn: this.identity.arn,
        stepKey: task.attemptKey,
        deadlineMs: task.timeoutSeconds === undefined ? null : now + task.timeoutSeconds * 1000,
        heartbeatSeconds: task.heartbeatSeconds ?? null,
        heartbeatDeadlineMs: task.heartbeatSeconds === undefined ? null : now + task.heartbeatSeconds * 1000,
      };
      // The token and the history so far are committed before anyone can see the token.
      const events = this.pending;
      this.pending = [];
      store.transaction(() => {
        store.insertEvents(this.identity.arn, events);
        store.insertToken(newRow);
      });
      row = { ...newRow, status: 'PENDING', output: null, error: null, cause: null };
    }
    // Resolves only when the task's own clock runs out, so the invoke phase can stop early on a timeout
    // while an answer that arrives meanwhile waits until TaskSubmitted is committed.
    let signalExpiry: (outcome: ResourceOutcome) => void = () => {};
    const expired = new Promise<ResourceOutcome>((resolve) => {
      signalExpiry = resolve;
    });
    const answer = new Promise<ResourceOutcome>((resolve) => {
      const settle = (settled: TaskTokenRow) => {
        if (settled.status === 'SUCCEEDED') resolve({ result: JSON.parse(settled.output ?? 'null') });
        else if (settled.status === 'FAILED')
          resolve({ error: settled.error ?? '', cause: settled.cause ?? '' });
        else if (settled.status === 'TIMED_OUT') {
          resolve({ error: settled.error ?? 'States.Timeout', cause: settled.cause ?? '' });
        }
      };
      if (row.status !== 'PENDING') {
        settle(row);
        return;
      }
      this.services.tokenWaiters.set(token, settle);
      const expire = (error: string) => {
        if (store.answerToken({ token, status: 'TIMED_OUT', output: null, error, cause: null })) {
          this.services.tokenWaiters.delete(token);
          resolve({ error, cause: '' });
          signalExpiry({ error, cause: '' });
        }
      };
      if (row.deadlineMs !== null) {
        timers.push(this.services.scheduler.at(row.deadlineMs, () => expire('States.Timeout')));
      }
      if (row.heartbeatDeadlineMs !== null) {
        const armHeartbeat = (dueMs: number) => {
          timers.push(
            this.services.scheduler.at(dueMs, () => {
              const current = store.getToken(token);
              if (current?.status !== 'PENDING') return;
              if (current.heartbeatDeadlineMs !== null && current.heartbeatDeadlineMs > Date.now()) {
                armHeartbeat(current.heartbeatDeadlineMs);
              } else {
                expire('States.HeartbeatTimeout');
              }
            }),
          );
        };
        armHeartbeat(row.heartbeatDeadlineMs);
      }
    });
    const submittedKey = `${task.attemptKey}:submitted`;
    if (this.journal.has(submittedKey)) {
      // Replay: the event is already in the history; emitting it again keeps the event order in step.
      this.emit(run.branch, 'TaskSubmitted', undefined);
    } else if (row.status === 'PENDING') {
      // The invoked function may answer its own token before the invoke returns (SendTaskSuccess from
      // inside the function). AWS still records TaskSubmitted first, so the answer is held (it only
      // resolves `answer`) until the submission is committed; only a timeout ends this phase early.
      const invoked = await cancellation.race(
        Promise.race([
          runResource(
            this.services.resources,
            task.resource,
            task.kind,
            task.parameters,
            this.identity.arn,
            abort.signal,
          ),
          expired,
        ]),
      );
      if ('error' in invoked) return invoked;
      const names = historyResourceNames(task.resource);
      const status = store.getToken(token)?.status;
      const stillOpen = status === 'PENDING' || status === 'SUCCEEDED' || status === 'FAILED';
      if (!this.journal.has(submittedKey) && stillOpen) {
        this.emit(run.branch, 'TaskSubmitted', 'taskSubmittedEventDetails', {
          resourceType: names.resourceType,
          resource: names.resource,
          output: JSON.stringify(invoked.result),
          outputDetails: { truncated: false },
        });
        await this.commit([[submittedKey, 'true']]);
      }
    }
    return cancellation.race(answer);
  }

  // ---------------------------------------------------------------- Parallel

  private newBranch(parent: Branch, key: string, cancellation: Cancellation): Branch {
    return {
      key,
      own: {},
      outer: visibleVariables(parent),
      lastEventId: parent.lastEventId,
      eventSeq: 0,
      visits: new Map(),
      cancellation,
    };
  }

  private async runParallelAttempt(run: StateRun, attempt: number): Promise<unknown> {
    const { state, branch } = run;
    const input = await this.effectiveArguments(run, run.context);
    this.emit(branch, 'ParallelStateStarted', undefined);
    const branches = Array.isArray(state.Branches) ? (state.Branches as MachineDefinition[]) : [];
    const group = new Cancellation(branch.cancellation);
    // The first failing branch decides the error; the siblings it cancels end with ExecutionHalted.
    let firstFailure: StateFailure | undefined;
    try {
      const settled = await Promise.allSettled(
        branches.map(async (definition, index) => {
          const child = this.newBranch(branch, `${run.stepKey}:a${attempt}:b${index}/`, group);
          child.parallelBranch = true;
          try {
            return await this.runStates(definition, child, input, run.ql);
          } catch (error) {
            if (error instanceof StateFailure) {
              firstFailure ??= error;
              group.cancel('a sibling branch failed');
            }
            throw error;
          }
        }),
      );
      if (firstFailure) throw firstFailure;
      return settled.map((outcome) => {
        if (outcome.status === 'rejected') throw outcome.reason;
        return outcome.value;
      });
    } finally {
      group.dispose();
    }
  }

  // ---------------------------------------------------------------- Map

  private async mapItems(run: StateRun): Promise<{ items: unknown[]; effective: unknown }> {
    const { state } = run;
    if (run.ql === 'JSONata') {
      if (state.Items === undefined) {
        if (!Array.isArray(run.input)) {
          throw new StatesError(
            'States.QueryEvaluationError',
            `Map state input must be an array but was: ${JSON.stringify(run.input)}`,
          );
        }
        return { items: run.input, effective: run.input };
      }
      const items = await this.evaluateTemplate(state.Items, this.jsonataScope(run), 'Items');
      if (!Array.isArray(items)) {
        throw new StatesError(
          'States.QueryEvaluationError',
          `The JSONata expression '${jsonataExpressionOf(state.Items) ?? ''}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '${jsonTypeName(items)}' for value: ${JSON.stringify(items)}`,
        );
      }
      return { items, effective: run.input };
    }
    const effective = this.selectPath(state.InputPath, run.input, run);
    const items = this.selectPath(state.ItemsPath, effective, run);
    if (!Array.isArray(items)) {
      throw new StatesError(
        'States.Runtime',
        `Invalid path '${String(state.ItemsPath ?? '$')}': the value is not an array: ${JSON.stringify(items)}`,
      );
    }
    return { items, effective };
  }

  private async mapConcurrency(run: StateRun): Promise<number> {
    const { state } = run;
    if (typeof state.MaxConcurrency === 'number') return state.MaxConcurrency;
    if (run.ql === 'JSONata' && typeof state.MaxConcurrency === 'string') {
      const value = await this.evaluateTemplate(
        state.MaxConcurrency,
        this.jsonataScope(run),
        'MaxConcurrency',
      );
      return typeof value === 'number' ? value : 0;
    }
    if (typeof state.MaxConcurrencyPath === 'string') {
      const effective = this.selectPath(state.InputPath, run.input, run);
      const raw = evaluatePath(state.MaxConcurrencyPath, effective, this.pathScope(run));
      const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        const shown = typeof raw === 'string' ? raw : JSON.stringify(raw);
        throw new StatesError(
          'States.Runtime',
          `The MaxConcurrencyPath field refers to value "${shown}" which is not a valid integer: ${state.MaxConcurrencyPath}`,
        );
      }
      return value;
    }
    return 0;
  }

  private async toleratedFailures(run: StateRun, total: number): Promise<number> {
    const { state } = run;
    let tolerated = -1;
    const read = async (field: string): Promise<number | undefined> => {
      const value = state[field];
      if (typeof value === 'number') return value;
      if (run.ql === 'JSONata' && typeof value === 'string') {
        const evaluated = await this.evaluateTemplate(value, this.jsonataScope(run), field);
        return typeof evaluated === 'number' ? evaluated : undefined;
      }
      const path = state[`${field}Path`];
      if (typeof path === 'string') {
        const evaluated = evaluatePath(
          path,
          this.selectPath(state.InputPath, run.input, run),
          this.pathScope(run),
        );
        return typeof evaluated === 'number' ? evaluated : undefined;
      }
      return undefined;
    };
    const count = await read('ToleratedFailureCount');
    const percentage = await read('ToleratedFailurePercentage');
    if (count !== undefined) tolerated = Math.max(tolerated, count);
    if (percentage !== undefined) tolerated = Math.max(tolerated, Math.floor((percentage / 100) * total));
    return tolerated;
  }

  private async runMapAttempt(run: StateRun, attempt: number): Promise<unknown> {
    const { state, branch } = run;
    let prepared: { items: unknown[]; effective: unknown; maxConcurrency: number; tolerated: number };
    try {
      const { items, effective } = await this.mapItems(run);
      const maxConcurrency = await this.mapConcurrency(run);
      const tolerated = await this.toleratedFailures(run, items.length);
      prepared = { items, effective, maxConcurrency, tolerated };
    } catch (error) {
      if (error instanceof StatesError && error.error === 'States.QueryEvaluationError') {
        throw this.asFailure(error, run);
      }
      throw error;
    }
    const { items, effective, maxConcurrency, tolerated } = prepared;
    const processor = (state.ItemProcessor ?? state.Iterator ?? {}) as MachineDefinition;
    const selector = state.ItemSelector ?? state.Parameters;
    const inputs: unknown[] = [];
    for (const [index, item] of items.entries()) {
      const mapContext = { ...run.context, Map: { Item: { Index: index, Value: item } } };
      if (selector === undefined) {
        inputs.push(item);
      } else if (run.ql === 'JSONata') {
        const scope = this.jsonataScope({ ...run, context: mapContext });
        inputs.push(await this.evaluateTemplate(selector, scope, 'ItemSelector'));
      } else {
        inputs.push(this.template(selector, effective, { ...run, context: mapContext }));
      }
    }
    this.emit(branch, 'MapStateStarted', 'mapStateStartedEventDetails', { length: items.length });
    const group = new Cancellation(branch.cancellation);
    const results: unknown[] = new Array(items.length).fill(null);
    let failures = 0;
    let firstFailure: StateFailure | undefined;
    let nextIndex = 0;
    const mapName = run.name;
    const worker = async () => {
      for (;;) {
        if (group.cancelled) return;
        const index = nextIndex++;
        if (index >= items.length) return;
        const child = this.newBranch(branch, `${run.stepKey}:a${attempt}:i${index}/`, group);
        child.mapItem = { Index: index, Value: items[index] };
        this.emit(child, 'MapIterationStarted', 'mapIterationStartedEventDetails', { name: mapName, index });
        try {
          results[index] = await this.runStates(processor, child, inputs[index], run.ql);
          this.emit(child, 'MapIterationSucceeded', 'mapIterationSucceededEventDetails', {
            name: mapName,
            index,
          });
        } catch (error) {
          if (error instanceof ExecutionHalted && !this.halted) {
            this.emit(child, 'MapIterationAborted', 'mapIterationAbortedEventDetails', {
              name: mapName,
              index,
            });
          }
          if (!(error instanceof StateFailure)) throw error;
          this.emit(child, 'MapIterationFailed', 'mapIterationFailedEventDetails', { name: mapName, index });
          failures++;
          if (failures > tolerated) {
            firstFailure ??= error;
            group.cancel('map failed');
          }
        }
      }
    };
    const workerCount = maxConcurrency > 0 ? Math.min(maxConcurrency, items.length) : items.length;
    try {
      await Promise.all(Array.from({ length: workerCount }, worker));
    } catch (error) {
      if (!(error instanceof ExecutionHalted) || branch.cancellation.cancelled) throw error;
    } finally {
      group.dispose();
    }
    if (firstFailure) {
      if (tolerated >= 0) {
        throw new StateFailure(
          'States.ExceedToleratedFailureThreshold',
          'The specified tolerated failure threshold was exceeded',
        );
      }
      throw firstFailure;
    }
    this.emit(branch, 'MapStateSucceeded', undefined);
    return results;
  }
}
