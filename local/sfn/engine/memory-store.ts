import type { HistoryTables } from './history-tables';
import { DuplicateKeyError, MemoryCatalog, UndoableMap } from './memory-catalog';
import { memoryHistoryTables } from './memory-history';
import type {
  EngineStorage,
  ExecutionEnd,
  ExecutionRow,
  ExecutionScope,
  HistoryEventRow,
  JournalValue,
  NewExecution,
  NewTaskToken,
  PendingEvent,
  RedriveFilter,
  StateMachineRow,
  TaskTokenRow,
  TokenAnswer,
} from './store';
import { UndoLog } from './undo-log';

const REDRIVABLE = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);
const REDRIVE_TOKENS_KEPT = 10;
const SCOPE_FIELDS = { machine: 'stateMachineArn', version: 'versionArn', alias: 'aliasArn' } as const;

/**
 * The engine's state in plain objects, for an engine without a data file: nothing to resume, so nothing to
 * write down. Answers as SqliteEngineStore does (the same orders, the same "false when nothing changed"),
 * and hands out copies, as rows read from SQLite are.
 */
export class MemoryEngineStore implements EngineStorage {
  readonly catalog: MemoryCatalog;
  private readonly undo = new UndoLog();
  private readonly history: HistoryTables;
  private readonly machines: UndoableMap<string, StateMachineRow>;
  private readonly executions: UndoableMap<string, ExecutionRow>;
  /** Executions by state machine, version and alias ARN, oldest first (sequence order). */
  private readonly scopes = { machine: new Map(), version: new Map(), alias: new Map() } as Record<
    ExecutionScope['column'],
    Map<string, ExecutionRow[]>
  >;
  private lastSequence = 0;
  private readonly tokens: UndoableMap<string, TaskTokenRow>;
  private readonly tokensByExecution = new Map<string, TaskTokenRow[]>();
  private readonly redriveTokens: UndoableMap<string, Map<string, number>>;

  constructor() {
    this.history = memoryHistoryTables(this.undo);
    this.catalog = new MemoryCatalog(this.undo);
    this.machines = new UndoableMap(this.undo);
    this.executions = new UndoableMap(this.undo);
    this.tokens = new UndoableMap(this.undo);
    this.redriveTokens = new UndoableMap(this.undo);
  }

  insertMachine(row: StateMachineRow): void {
    if (this.machines.get(row.arn)) throw new DuplicateKeyError('state_machines', row.arn);
    this.machines.set(row.arn, { ...row });
  }
  updateMachine(
    row: Pick<StateMachineRow, 'arn' | 'definition' | 'roleArn' | 'updatedMs' | 'revisionId'>,
  ): void {
    const existing = this.machines.get(row.arn);
    if (existing) this.machines.set(row.arn, { ...existing, ...row });
  }
  getMachine(arn: string): StateMachineRow | undefined {
    const row = this.machines.get(arn);
    return row && { ...row };
  }
  listMachines(): StateMachineRow[] {
    return [...this.machines.values()]
      .sort((a, b) => a.createdMs - b.createdMs || (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0))
      .map((row) => ({ ...row }));
  }
  deleteMachine(arn: string): void {
    this.machines.delete(arn);
  }

  insertExecution(row: NewExecution): void {
    if (this.executions.get(row.arn)) throw new DuplicateKeyError('executions', row.arn);
    const execution: ExecutionRow = {
      sequence: ++this.lastSequence,
      arn: row.arn,
      stateMachineArn: row.stateMachineArn,
      name: row.name,
      status: 'RUNNING',
      input: row.input,
      output: null,
      error: null,
      cause: null,
      startMs: row.startMs,
      stopMs: null,
      definition: row.definition,
      type: row.type,
      roleArn: row.roleArn,
      redriveCount: 0,
      redriveMs: null,
      versionArn: row.versionArn ?? null,
      aliasArn: row.aliasArn ?? null,
    };
    this.executions.set(row.arn, execution);
    for (const column of ['machine', 'version', 'alias'] as const) {
      const arn = execution[SCOPE_FIELDS[column]];
      if (arn === null) continue;
      const scoped = this.scopes[column].get(arn) ?? [];
      scoped.push(execution);
      this.scopes[column].set(arn, scoped);
      this.undo.record(() => scoped.pop());
    }
    // AUTOINCREMENT: a rolled-back sequence number is not handed out again.
  }
  getExecution(arn: string): ExecutionRow | undefined {
    const row = this.executions.get(arn);
    return row && { ...row };
  }
  runningExecutions(): ExecutionRow[] {
    return [...this.executions.values()]
      .filter((row) => row.status === 'RUNNING')
      .sort((a, b) => a.sequence - b.sequence)
      .map((row) => ({ ...row }));
  }
  listExecutions(
    scope: ExecutionScope,
    filters: { status?: string; redrive?: RedriveFilter },
    beforeSequence: number,
    limit: number,
  ): ExecutionRow[] {
    const scoped = this.scopes[scope.column].get(scope.arn) ?? [];
    const page: ExecutionRow[] = [];
    for (let index = scoped.length - 1; index >= 0 && page.length < limit; index--) {
      const row = scoped[index] as ExecutionRow;
      if (row.sequence >= beforeSequence) continue;
      if (filters.status && row.status !== filters.status) continue;
      if (filters.redrive === 'REDRIVEN' && row.redriveCount === 0) continue;
      if (filters.redrive === 'NOT_REDRIVEN' && row.redriveCount > 0) continue;
      page.push({ ...row });
    }
    return page;
  }
  /** Changes the one record in place (the scope lists hold it too), remembering the fields it had. */
  private change(row: ExecutionRow, fields: Partial<ExecutionRow>): void {
    const before = { ...row };
    Object.assign(row, fields);
    this.undo.record(() => Object.assign(row, before));
  }
  finishExecution(row: ExecutionEnd): boolean {
    const execution = this.executions.get(row.arn);
    if (execution?.status !== 'RUNNING') return false;
    const { status, output, error, cause, stopMs } = row;
    this.change(execution, { status, output, error, cause, stopMs });
    return true;
  }
  redriveExecution(arn: string, redriveMs: number): boolean {
    const execution = this.executions.get(arn);
    if (!execution || !REDRIVABLE.has(execution.status)) return false;
    this.change(execution, {
      status: 'RUNNING',
      output: null,
      error: null,
      cause: null,
      stopMs: null,
      redriveCount: execution.redriveCount + 1,
      redriveMs,
    });
    return true;
  }
  redriveTokenDate(executionArn: string, clientToken: string): number | undefined {
    return this.redriveTokens.get(executionArn)?.get(clientToken);
  }
  rememberRedriveToken(executionArn: string, clientToken: string, redriveMs: number): void {
    const tokens = new Map(this.redriveTokens.get(executionArn));
    tokens.set(clientToken, redriveMs);
    const kept = [...tokens].sort(([, a], [, b]) => b - a).slice(0, REDRIVE_TOKENS_KEPT);
    this.redriveTokens.set(executionArn, new Map(kept));
  }

  insertEvents(executionArn: string, events: PendingEvent[]): void {
    this.history.insertEvents(executionArn, events);
  }
  insertStep(executionArn: string, events: PendingEvent[], key: string, value: JournalValue): void {
    this.history.insertStep(executionArn, events, key, value);
  }
  events(executionArn: string, reverse: boolean, afterId: number, limit: number): HistoryEventRow[] {
    return this.history.events(executionArn, reverse, afterId, limit);
  }
  eventKeys(executionArn: string): Map<string, number> {
    return this.history.eventKeys(executionArn);
  }
  maxEventId(executionArn: string): number {
    return this.history.maxEventId(executionArn);
  }
  putJournal(executionArn: string, key: string, value: JournalValue): void {
    this.history.putJournal(executionArn, key, value);
  }
  journal(executionArn: string): Map<string, string> {
    return this.history.journal(executionArn);
  }
  deleteJournal(executionArn: string, key: string): void {
    this.history.deleteJournal(executionArn, key);
  }

  insertToken(row: NewTaskToken): void {
    if (this.tokens.get(row.token)) throw new DuplicateKeyError('task_tokens', row.token);
    const token: TaskTokenRow = { ...row, status: 'PENDING', output: null, error: null, cause: null };
    this.tokens.set(row.token, token);
    const ofExecution = this.tokensByExecution.get(row.executionArn) ?? [];
    ofExecution.push(token);
    this.tokensByExecution.set(row.executionArn, ofExecution);
    this.undo.record(() => ofExecution.pop());
  }
  getToken(token: string): TaskTokenRow | undefined {
    const row = this.tokens.get(token);
    return row && { ...row };
  }
  tokenForStep(executionArn: string, stepKey: string): TaskTokenRow | undefined {
    const row = this.tokensByExecution.get(executionArn)?.find((token) => token.stepKey === stepKey);
    return row && { ...row };
  }
  private changeToken(row: TaskTokenRow, fields: Partial<TaskTokenRow>): void {
    const before = { ...row };
    Object.assign(row, fields);
    this.undo.record(() => Object.assign(row, before));
  }
  answerToken({ token, status, output, error, cause }: TokenAnswer): boolean {
    const row = this.tokens.get(token);
    if (row?.status !== 'PENDING') return false;
    this.changeToken(row, { status, output, error, cause });
    return true;
  }
  heartbeatToken(token: string, heartbeatDeadlineMs: number): boolean {
    const row = this.tokens.get(token);
    if (row?.status !== 'PENDING') return false;
    this.changeToken(row, { heartbeatDeadlineMs });
    return true;
  }
  closeTokensOf(executionArn: string): void {
    for (const row of this.tokensByExecution.get(executionArn) ?? []) {
      if (row.status === 'PENDING') this.changeToken(row, { status: 'CLOSED' });
    }
  }
  retireTokensOf(executionArn: string, suffix: string): void {
    for (const row of this.tokensByExecution.get(executionArn) ?? []) {
      this.changeToken(row, { status: 'CLOSED', stepKey: `${row.stepKey}${suffix}` });
    }
  }

  transaction<T>(work: () => T): T {
    return this.undo.run(work);
  }

  close(): void {}
}
