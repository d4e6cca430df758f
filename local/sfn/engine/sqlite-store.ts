import Database from 'better-sqlite3';
import { CatalogStore } from './catalog-store';
import { type HistoryTables, sqliteHistoryTables } from './history-tables';
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
import {
  createSchema,
  EXECUTION_SELECT,
  executionStatements,
  machineStatements,
  tokenStatements,
} from './store-schema';

/**
 * The durable store: one SQLite database (WAL). Executions advance through a journal of committed steps: a
 * restarted engine replays an execution's journal instead of running those steps again.
 */
export class SqliteEngineStore implements EngineStorage {
  readonly db: Database.Database;
  /** Versions, aliases, activities and tags. */
  readonly catalog: CatalogStore;
  private readonly statements;
  private readonly history: HistoryTables;
  private readonly listQueries = new Map<string, Database.Statement>();

  constructor(dataPath: string) {
    this.db = new Database(dataPath);
    if (dataPath !== ':memory:') {
      this.db.pragma('journal_mode = WAL');
      // The default checkpoint every 1,000 WAL pages ran inside a step's commit and halved the transition
      // rate (profiled: ~75% of the time in COMMIT); 10,000 pages (~40 MB of WAL) keeps it off the hot path.
      this.db.pragma('wal_autocheckpoint = 10000');
    }
    this.db.pragma('synchronous = NORMAL');
    createSchema(this.db);
    this.catalog = new CatalogStore(this.db);
    this.history = sqliteHistoryTables(this.db);
    this.statements = {
      ...machineStatements(this.db),
      ...executionStatements(this.db),
      ...tokenStatements(this.db),
    };
  }

  insertMachine(row: StateMachineRow): void {
    this.statements.insertMachine.run(row);
  }
  updateMachine(
    row: Pick<StateMachineRow, 'arn' | 'definition' | 'roleArn' | 'updatedMs' | 'revisionId'>,
  ): void {
    this.statements.updateMachine.run(row);
  }
  getMachine(arn: string): StateMachineRow | undefined {
    return this.statements.getMachine.get(arn) as StateMachineRow | undefined;
  }
  listMachines(): StateMachineRow[] {
    return this.statements.listMachines.all() as StateMachineRow[];
  }
  deleteMachine(arn: string): void {
    this.statements.deleteMachine.run(arn);
  }

  insertExecution(row: NewExecution): void {
    this.statements.insertExecution.run({ versionArn: null, aliasArn: null, ...row });
  }
  getExecution(arn: string): ExecutionRow | undefined {
    return this.statements.getExecution.get(arn) as ExecutionRow | undefined;
  }
  runningExecutions(): ExecutionRow[] {
    return this.statements.runningExecutions.all() as ExecutionRow[];
  }
  /** Newest first, before `beforeSequence`; optionally only one status and redriven or not. */
  listExecutions(
    scope: ExecutionScope,
    filters: { status?: string; redrive?: RedriveFilter },
    beforeSequence: number,
    limit: number,
  ): ExecutionRow[] {
    const key = `${scope.column}${filters.status ? 's' : ''}${filters.redrive ?? ''}`;
    let query = this.listQueries.get(key);
    if (!query) {
      const column = { machine: 'state_machine_arn', version: 'version_arn', alias: 'alias_arn' }[
        scope.column
      ];
      const conditions = [`${column} = @arn`, 'sequence < @before'];
      if (filters.status) conditions.push('status = @status');
      if (filters.redrive === 'REDRIVEN') conditions.push('redrive_count > 0');
      if (filters.redrive === 'NOT_REDRIVEN') conditions.push('redrive_count = 0');
      query = this.db.prepare(
        `${EXECUTION_SELECT} WHERE ${conditions.join(' AND ')} ORDER BY sequence DESC LIMIT @limit`,
      );
      this.listQueries.set(key, query);
    }
    const parameters: Record<string, unknown> = { arn: scope.arn, before: beforeSequence, limit };
    if (filters.status) parameters.status = filters.status;
    return query.all(parameters) as ExecutionRow[];
  }
  /** Marks the execution finished; false when it was no longer running (e.g. stopped meanwhile). */
  finishExecution(row: ExecutionEnd): boolean {
    return this.statements.finishExecution.run(row).changes > 0;
  }
  /** Back to RUNNING with one more redrive; false when it was not FAILED, TIMED_OUT or ABORTED. */
  redriveExecution(arn: string, redriveMs: number): boolean {
    return this.statements.redriveExecution.run({ arn, redriveMs }).changes > 0;
  }
  redriveTokenDate(executionArn: string, clientToken: string): number | undefined {
    const row = this.statements.redriveToken.get(executionArn, clientToken) as
      | { redriveMs: number }
      | undefined;
    return row?.redriveMs;
  }
  rememberRedriveToken(executionArn: string, clientToken: string, redriveMs: number): void {
    this.statements.insertRedriveToken.run(executionArn, clientToken, redriveMs);
    this.statements.trimRedriveTokens.run({ arn: executionArn });
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
    this.statements.insertToken.run(row);
  }
  getToken(token: string): TaskTokenRow | undefined {
    return this.statements.getToken.get(token) as TaskTokenRow | undefined;
  }
  tokenForStep(executionArn: string, stepKey: string): TaskTokenRow | undefined {
    return this.statements.tokenForStep.get(executionArn, stepKey) as TaskTokenRow | undefined;
  }
  /** Moves a PENDING token to its answer; false when it was already answered, timed out or closed. */
  answerToken(row: TokenAnswer): boolean {
    return this.statements.answerToken.run(row).changes > 0;
  }
  heartbeatToken(token: string, heartbeatDeadlineMs: number): boolean {
    return this.statements.heartbeatToken.run({ token, heartbeatDeadlineMs }).changes > 0;
  }
  closeTokensOf(executionArn: string): void {
    this.statements.closeTokensOf.run(executionArn);
  }
  /** After a redrive: the old tokens stay closed and belong to no step any more. */
  retireTokensOf(executionArn: string, suffix: string): void {
    this.statements.retireTokensOf.run({ arn: executionArn, suffix });
  }

  transaction<T>(work: () => T): T {
    try {
      // Rows buffered before it are written first: a nested transaction that rolls back discards only its own.
      this.history.beforeCommit?.();
      return this.db.transaction(() => {
        const result = work();
        this.history.beforeCommit?.();
        return result;
      })();
    } catch (error) {
      this.history.afterRollback?.();
      throw error;
    }
  }

  close(): void {
    this.db.close();
  }
}
