import type { CatalogStorage } from './catalog-store';
import { MemoryEngineStore } from './memory-store';
import { SqliteEngineStore } from './sqlite-store';

/**
 * What the engine keeps: state machines, executions, their history events and step journal, task tokens and
 * the catalog (versions, aliases, activities, tags). Two implementations answer alike: `SqliteEngineStore`
 * (durable, a data file) and `MemoryEngineStore` (plain objects, for an engine without a data file).
 */
export interface StateMachineRow {
  arn: string;
  name: string;
  definition: string;
  roleArn: string;
  type: string;
  createdMs: number;
  updatedMs: number | null;
  revisionId: string;
}

export interface ExecutionRow {
  arn: string;
  stateMachineArn: string;
  name: string;
  status: string;
  input: string;
  output: string | null;
  error: string | null;
  cause: string | null;
  startMs: number;
  stopMs: number | null;
  definition: string;
  type: string;
  roleArn: string;
  sequence: number;
  /** How often RedriveExecution restarted it, and when last. */
  redriveCount: number;
  redriveMs: number | null;
  /** The version it ran, and the alias it was started through, if any. */
  versionArn: string | null;
  aliasArn: string | null;
}

export interface HistoryEventRow {
  id: number;
  previousEventId: number;
  type: string;
  timestampMs: number;
  details: string | null;
}

export interface PendingEvent {
  key: string;
  id: number;
  previousEventId: number;
  type: string;
  timestampMs: number;
  details: string | null;
  /**
   * Set on a state entered/exited event without variables: its details are `stateEventDetails(type,
   * stateName, textOf(stateText))`, and a store may keep the name and the text (or the object that writes it,
   * as the in-memory one does) instead of the details.
   */
  readonly stateName?: string;
  readonly stateText?: TextSource;
}

/** A JSON text, or an object that writes it when first asked (see JsonText). */
export type TextSource = string | { readonly text: string };

export function textOf(source: TextSource): string {
  return typeof source === 'string' ? source : source.text;
}

/**
 * The details text of a state entered/exited event of state `name`, whose input (entered) or output (exited)
 * is `text`: what JSON.stringify writes for `{ stateEnteredEventDetails: { name, input, inputDetails } }`.
 */
export function stateEventDetails(type: string, name: string, text: string): string {
  const entered = type.endsWith('Entered');
  const details = entered ? 'stateEnteredEventDetails' : 'stateExitedEventDetails';
  const field = entered ? 'input' : 'output';
  return `{"${details}":{"name":${JSON.stringify(name)},"${field}":${JSON.stringify(text)},"${field}Details":{"truncated":false}}}`;
}

/**
 * A journal entry: its JSON text, or an object that writes it when asked (a step record, which the in-memory
 * store keeps as it is instead of as a text that repeats the output).
 */
export type JournalValue = TextSource;

export interface TaskTokenRow {
  token: string;
  executionArn: string;
  stepKey: string;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'CLOSED';
  deadlineMs: number | null;
  heartbeatSeconds: number | null;
  heartbeatDeadlineMs: number | null;
  output: string | null;
  error: string | null;
  cause: string | null;
}

export type RedriveFilter = 'REDRIVEN' | 'NOT_REDRIVEN';

export type NewExecution = Pick<
  ExecutionRow,
  'arn' | 'stateMachineArn' | 'name' | 'input' | 'startMs' | 'definition' | 'type' | 'roleArn'
> &
  Partial<Pick<ExecutionRow, 'versionArn' | 'aliasArn'>>;

export type ExecutionEnd = Pick<ExecutionRow, 'arn' | 'status' | 'output' | 'error' | 'cause'> & {
  stopMs: number;
};

export type NewTaskToken = Pick<
  TaskTokenRow,
  'token' | 'executionArn' | 'stepKey' | 'deadlineMs' | 'heartbeatSeconds' | 'heartbeatDeadlineMs'
>;

export type TokenAnswer = Pick<TaskTokenRow, 'token' | 'status' | 'output' | 'error' | 'cause'>;

export interface ExecutionScope {
  column: 'machine' | 'version' | 'alias';
  arn: string;
}

export interface EngineStorage {
  /** Versions, aliases, activities and tags. */
  readonly catalog: CatalogStorage;
  /** Throws when the ARN is taken. */
  insertMachine(row: StateMachineRow): void;
  updateMachine(
    row: Pick<StateMachineRow, 'arn' | 'definition' | 'roleArn' | 'updatedMs' | 'revisionId'>,
  ): void;
  getMachine(arn: string): StateMachineRow | undefined;
  /** By creation time, then ARN. */
  listMachines(): StateMachineRow[];
  deleteMachine(arn: string): void;

  /** A RUNNING execution with the next sequence number; throws when the ARN is taken. */
  insertExecution(row: NewExecution): void;
  getExecution(arn: string): ExecutionRow | undefined;
  /** Oldest first. */
  runningExecutions(): ExecutionRow[];
  /** Newest first, before `beforeSequence`; optionally only one status and redriven or not. */
  listExecutions(
    scope: ExecutionScope,
    filters: { status?: string; redrive?: RedriveFilter },
    beforeSequence: number,
    limit: number,
  ): ExecutionRow[];
  /** Marks the execution finished; false when it was no longer running (e.g. stopped meanwhile). */
  finishExecution(row: ExecutionEnd): boolean;
  /** Back to RUNNING with one more redrive; false when it was not FAILED, TIMED_OUT or ABORTED. */
  redriveExecution(arn: string, redriveMs: number): boolean;
  redriveTokenDate(executionArn: string, clientToken: string): number | undefined;
  /** Keeps the last 10 client tokens of an execution (AWS answers idempotently for those). */
  rememberRedriveToken(executionArn: string, clientToken: string, redriveMs: number): void;

  /** Keeps the first event of each id (a replayed step writes the same events again). */
  insertEvents(executionArn: string, events: PendingEvent[]): void;
  /** A finished step: its events and its journal entry (as insertEvents and putJournal). */
  insertStep(executionArn: string, events: PendingEvent[], key: string, value: JournalValue): void;
  /** Ids after `afterId` ascending, or (reverse) before it descending; at most `limit`. */
  events(executionArn: string, reverse: boolean, afterId: number, limit: number): HistoryEventRow[];
  eventKeys(executionArn: string): Map<string, number>;
  maxEventId(executionArn: string): number;
  putJournal(executionArn: string, key: string, value: JournalValue): void;
  /** A copy, as texts: the reader may change it. */
  journal(executionArn: string): Map<string, string>;
  deleteJournal(executionArn: string, key: string): void;

  /** A PENDING token; throws when it exists. */
  insertToken(row: NewTaskToken): void;
  getToken(token: string): TaskTokenRow | undefined;
  tokenForStep(executionArn: string, stepKey: string): TaskTokenRow | undefined;
  /** Moves a PENDING token to its answer; false when it was already answered, timed out or closed. */
  answerToken(row: TokenAnswer): boolean;
  heartbeatToken(token: string, heartbeatDeadlineMs: number): boolean;
  closeTokensOf(executionArn: string): void;
  /** After a redrive: the old tokens stay closed and belong to no step any more. */
  retireTokensOf(executionArn: string, suffix: string): void;

  /** All of `work` or none of it (a throw undoes what it wrote); nests. */
  transaction<T>(work: () => T): T;
  close(): void;
}

/**
 * The store of an engine: SQLite for a data file, plain objects for `:memory:`. `SFN_STORE=sqlite` puts an
 * in-memory engine on SQLite's `:memory:` instead, so that the test suite can run against both stores.
 */
export function openEngineStore(dataPath: string): EngineStorage {
  if (dataPath === ':memory:' && process.env.SFN_STORE !== 'sqlite') return new MemoryEngineStore();
  return new SqliteEngineStore(dataPath);
}
