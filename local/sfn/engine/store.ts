import Database from 'better-sqlite3';

/**
 * Durable state of the engine in one SQLite database (WAL). Executions advance through a journal of committed
 * steps: a restarted engine replays an execution's journal instead of running those steps again.
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
}

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

export class EngineStore {
  readonly db: Database.Database;
  private readonly statements;

  constructor(dataPath: string) {
    this.db = new Database(dataPath);
    if (dataPath !== ':memory:') this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS state_machines (
        arn TEXT PRIMARY KEY, name TEXT NOT NULL, definition TEXT NOT NULL, role_arn TEXT NOT NULL,
        type TEXT NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER, revision_id TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS executions (
        sequence INTEGER PRIMARY KEY AUTOINCREMENT, arn TEXT NOT NULL UNIQUE, state_machine_arn TEXT NOT NULL,
        name TEXT NOT NULL, status TEXT NOT NULL, input TEXT NOT NULL, output TEXT, error TEXT, cause TEXT,
        start_ms INTEGER NOT NULL, stop_ms INTEGER, definition TEXT NOT NULL, type TEXT NOT NULL,
        role_arn TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS executions_by_machine ON executions (state_machine_arn, sequence);
      CREATE INDEX IF NOT EXISTS executions_by_status ON executions (status);
      CREATE TABLE IF NOT EXISTS events (
        execution_arn TEXT NOT NULL, id INTEGER NOT NULL, key TEXT NOT NULL, previous_id INTEGER NOT NULL,
        type TEXT NOT NULL, timestamp_ms INTEGER NOT NULL, details TEXT,
        PRIMARY KEY (execution_arn, id)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS journal (
        execution_arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (execution_arn, key)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS task_tokens (
        token TEXT PRIMARY KEY, execution_arn TEXT NOT NULL, step_key TEXT NOT NULL, status TEXT NOT NULL,
        deadline_ms INTEGER, heartbeat_seconds INTEGER, heartbeat_deadline_ms INTEGER,
        output TEXT, error TEXT, cause TEXT);
      CREATE INDEX IF NOT EXISTS task_tokens_by_step ON task_tokens (execution_arn, step_key);
    `);
    const db = this.db;
    this.statements = {
      insertMachine: db.prepare(
        `INSERT INTO state_machines (arn, name, definition, role_arn, type, created_ms, updated_ms, revision_id)
         VALUES (@arn, @name, @definition, @roleArn, @type, @createdMs, @updatedMs, @revisionId)`,
      ),
      updateMachine: db.prepare(
        `UPDATE state_machines SET definition = @definition, role_arn = @roleArn, updated_ms = @updatedMs,
         revision_id = @revisionId WHERE arn = @arn`,
      ),
      getMachine: db.prepare(
        `SELECT arn, name, definition, role_arn AS roleArn, type, created_ms AS createdMs, updated_ms AS updatedMs,
         revision_id AS revisionId FROM state_machines WHERE arn = ?`,
      ),
      listMachines: db.prepare(
        `SELECT arn, name, definition, role_arn AS roleArn, type, created_ms AS createdMs, updated_ms AS updatedMs,
         revision_id AS revisionId FROM state_machines ORDER BY created_ms, arn`,
      ),
      deleteMachine: db.prepare('DELETE FROM state_machines WHERE arn = ?'),
      insertExecution: db.prepare(
        `INSERT INTO executions (arn, state_machine_arn, name, status, input, start_ms, definition, type, role_arn)
         VALUES (@arn, @stateMachineArn, @name, 'RUNNING', @input, @startMs, @definition, @type, @roleArn)`,
      ),
      getExecution: db.prepare(`${EXECUTION_SELECT} WHERE arn = ?`),
      runningExecutions: db.prepare(`${EXECUTION_SELECT} WHERE status = 'RUNNING' ORDER BY sequence`),
      listExecutions: db.prepare(
        `${EXECUTION_SELECT} WHERE state_machine_arn = ? AND sequence < ? ORDER BY sequence DESC LIMIT ?`,
      ),
      listExecutionsWithStatus: db.prepare(
        `${EXECUTION_SELECT} WHERE state_machine_arn = ? AND status = ? AND sequence < ? ORDER BY sequence DESC LIMIT ?`,
      ),
      finishExecution: db.prepare(
        `UPDATE executions SET status = @status, output = @output, error = @error, cause = @cause, stop_ms = @stopMs
         WHERE arn = @arn AND status = 'RUNNING'`,
      ),
      insertEvent: db.prepare(
        `INSERT OR IGNORE INTO events (execution_arn, id, key, previous_id, type, timestamp_ms, details)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      eventsForward: db.prepare(
        `SELECT id, previous_id AS previousEventId, type, timestamp_ms AS timestampMs, details FROM events
         WHERE execution_arn = ? AND id > ? ORDER BY id LIMIT ?`,
      ),
      eventsReverse: db.prepare(
        `SELECT id, previous_id AS previousEventId, type, timestamp_ms AS timestampMs, details FROM events
         WHERE execution_arn = ? AND id < ? ORDER BY id DESC LIMIT ?`,
      ),
      eventKeys: db.prepare('SELECT key, id FROM events WHERE execution_arn = ?'),
      maxEventId: db.prepare('SELECT MAX(id) AS maxId FROM events WHERE execution_arn = ?'),
      putJournal: db.prepare('INSERT OR REPLACE INTO journal (execution_arn, key, value) VALUES (?, ?, ?)'),
      journalFor: db.prepare('SELECT key, value FROM journal WHERE execution_arn = ?'),
      insertToken: db.prepare(
        `INSERT INTO task_tokens (token, execution_arn, step_key, status, deadline_ms, heartbeat_seconds,
         heartbeat_deadline_ms) VALUES (@token, @executionArn, @stepKey, 'PENDING', @deadlineMs, @heartbeatSeconds,
         @heartbeatDeadlineMs)`,
      ),
      getToken: db.prepare(`${TOKEN_SELECT} WHERE token = ?`),
      tokenForStep: db.prepare(`${TOKEN_SELECT} WHERE execution_arn = ? AND step_key = ?`),
      answerToken: db.prepare(
        `UPDATE task_tokens SET status = @status, output = @output, error = @error, cause = @cause
         WHERE token = @token AND status = 'PENDING'`,
      ),
      heartbeatToken: db.prepare(
        `UPDATE task_tokens SET heartbeat_deadline_ms = @heartbeatDeadlineMs WHERE token = @token AND status = 'PENDING'`,
      ),
      closeTokensOf: db.prepare(
        `UPDATE task_tokens SET status = 'CLOSED' WHERE execution_arn = ? AND status = 'PENDING'`,
      ),
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

  insertExecution(
    row: Pick<
      ExecutionRow,
      'arn' | 'stateMachineArn' | 'name' | 'input' | 'startMs' | 'definition' | 'type' | 'roleArn'
    >,
  ): void {
    this.statements.insertExecution.run(row);
  }
  getExecution(arn: string): ExecutionRow | undefined {
    return this.statements.getExecution.get(arn) as ExecutionRow | undefined;
  }
  runningExecutions(): ExecutionRow[] {
    return this.statements.runningExecutions.all() as ExecutionRow[];
  }
  listExecutions(stateMachineArn: string, status: string | undefined, beforeSequence: number, limit: number) {
    const rows = status
      ? this.statements.listExecutionsWithStatus.all(stateMachineArn, status, beforeSequence, limit)
      : this.statements.listExecutions.all(stateMachineArn, beforeSequence, limit);
    return rows as ExecutionRow[];
  }
  /** Marks the execution finished; false when it was no longer running (e.g. stopped meanwhile). */
  finishExecution(row: {
    arn: string;
    status: string;
    output: string | null;
    error: string | null;
    cause: string | null;
    stopMs: number;
  }): boolean {
    return this.statements.finishExecution.run(row).changes > 0;
  }

  insertEvents(executionArn: string, events: PendingEvent[]): void {
    for (const event of events) {
      this.statements.insertEvent.run(
        executionArn,
        event.id,
        event.key,
        event.previousEventId,
        event.type,
        event.timestampMs,
        event.details,
      );
    }
  }
  events(executionArn: string, reverse: boolean, afterId: number, limit: number): HistoryEventRow[] {
    return (reverse ? this.statements.eventsReverse : this.statements.eventsForward).all(
      executionArn,
      afterId,
      limit,
    ) as HistoryEventRow[];
  }
  eventKeys(executionArn: string): Map<string, number> {
    const rows = this.statements.eventKeys.all(executionArn) as { key: string; id: number }[];
    return new Map(rows.map((row) => [row.key, row.id]));
  }
  maxEventId(executionArn: string): number {
    const row = this.statements.maxEventId.get(executionArn) as { maxId: number | null } | undefined;
    return row?.maxId ?? 0;
  }

  putJournal(executionArn: string, key: string, value: string): void {
    this.statements.putJournal.run(executionArn, key, value);
  }
  journal(executionArn: string): Map<string, string> {
    const rows = this.statements.journalFor.all(executionArn) as { key: string; value: string }[];
    return new Map(rows.map((row) => [row.key, row.value]));
  }

  insertToken(row: {
    token: string;
    executionArn: string;
    stepKey: string;
    deadlineMs: number | null;
    heartbeatSeconds: number | null;
    heartbeatDeadlineMs: number | null;
  }): void {
    this.statements.insertToken.run(row);
  }
  getToken(token: string): TaskTokenRow | undefined {
    return this.statements.getToken.get(token) as TaskTokenRow | undefined;
  }
  tokenForStep(executionArn: string, stepKey: string): TaskTokenRow | undefined {
    return this.statements.tokenForStep.get(executionArn, stepKey) as TaskTokenRow | undefined;
  }
  /** Moves a PENDING token to its answer; false when it was already answered, timed out or closed. */
  answerToken(row: {
    token: string;
    status: TaskTokenRow['status'];
    output: string | null;
    error: string | null;
    cause: string | null;
  }): boolean {
    return this.statements.answerToken.run(row).changes > 0;
  }
  heartbeatToken(token: string, heartbeatDeadlineMs: number): boolean {
    return this.statements.heartbeatToken.run({ token, heartbeatDeadlineMs }).changes > 0;
  }
  closeTokensOf(executionArn: string): void {
    this.statements.closeTokensOf.run(executionArn);
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  close(): void {
    this.db.close();
  }
}

const EXECUTION_SELECT = `SELECT sequence, arn, state_machine_arn AS stateMachineArn, name, status, input, output,
  error, cause, start_ms AS startMs, stop_ms AS stopMs, definition, type, role_arn AS roleArn FROM executions`;
const TOKEN_SELECT = `SELECT token, execution_arn AS executionArn, step_key AS stepKey, status,
  deadline_ms AS deadlineMs, heartbeat_seconds AS heartbeatSeconds, heartbeat_deadline_ms AS heartbeatDeadlineMs,
  output, error, cause FROM task_tokens`;
