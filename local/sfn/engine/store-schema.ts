import type Database from 'better-sqlite3';

const TABLES = `
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
  CREATE TABLE IF NOT EXISTS history_keys (seq INTEGER PRIMARY KEY AUTOINCREMENT, arn TEXT NOT NULL UNIQUE);
  CREATE TABLE IF NOT EXISTS history_events (
    execution_seq INTEGER NOT NULL, id INTEGER NOT NULL, key TEXT NOT NULL, previous_id INTEGER NOT NULL,
    type TEXT NOT NULL, timestamp_ms INTEGER NOT NULL, details TEXT);
  CREATE UNIQUE INDEX IF NOT EXISTS history_events_by_execution ON history_events (execution_seq, id);
  CREATE TABLE IF NOT EXISTS step_journal (execution_seq INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL);
  CREATE UNIQUE INDEX IF NOT EXISTS step_journal_by_execution ON step_journal (execution_seq, key);
  CREATE TABLE IF NOT EXISTS task_tokens (
    token TEXT PRIMARY KEY, execution_arn TEXT NOT NULL, step_key TEXT NOT NULL, status TEXT NOT NULL,
    deadline_ms INTEGER, heartbeat_seconds INTEGER, heartbeat_deadline_ms INTEGER,
    output TEXT, error TEXT, cause TEXT);
  CREATE INDEX IF NOT EXISTS task_tokens_by_step ON task_tokens (execution_arn, step_key);
  CREATE TABLE IF NOT EXISTS redrive_tokens (
    execution_arn TEXT NOT NULL, client_token TEXT NOT NULL, redrive_ms INTEGER NOT NULL,
    PRIMARY KEY (execution_arn, client_token)) WITHOUT ROWID;
`;

/** Columns added after the first release: a database written by an earlier engine gains them on open. */
const ADDED_COLUMNS: { table: string; column: string; definition: string }[] = [
  { table: 'executions', column: 'redrive_count', definition: 'INTEGER NOT NULL DEFAULT 0' },
  { table: 'executions', column: 'redrive_ms', definition: 'INTEGER' },
  { table: 'executions', column: 'version_arn', definition: 'TEXT' },
  { table: 'executions', column: 'alias_arn', definition: 'TEXT' },
  // A state entered/exited event's name and input/output text, its details written when read (history-tables).
  { table: 'history_events', column: 'state_name', definition: 'TEXT' },
  { table: 'history_events', column: 'state_text', definition: 'TEXT' },
  // The journal entry of the step that this event ends (history-tables' insertStep).
  { table: 'history_events', column: 'step_key', definition: 'TEXT' },
  { table: 'history_events', column: 'step_value', definition: 'TEXT' },
];

/**
 * Engines before this one kept events and journal WITHOUT ROWID, keyed by execution ARN: every step of each
 * running execution then dirtied its own B-tree page, and COMMIT wrote them all (profiled: 35% of a Pass
 * chain's time; 4.7x fewer steps/s than rows appended in rowid order under a small integer-keyed index).
 * Such a database moves to the new tables once, on open.
 */
function moveArnKeyedHistory(db: Database.Database): void {
  // Only the engine's own tables: another `events` table in the same file (no execution_arn) stays as it is.
  const old = (
    db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'journal')")
      .all() as { name: string }[]
  ).filter(({ name }) =>
    (db.prepare(`PRAGMA table_info(${name})`).all() as { name: string }[]).some(
      (column) => column.name === 'execution_arn',
    ),
  );
  if (old.length === 0) return;
  db.transaction(() => {
    for (const { name } of old) {
      db.exec(`INSERT OR IGNORE INTO history_keys (arn) SELECT DISTINCT execution_arn FROM ${name}`);
    }
    if (old.some((table) => table.name === 'events')) {
      db.exec(`INSERT OR IGNORE INTO history_events (execution_seq, id, key, previous_id, type, timestamp_ms, details)
        SELECT k.seq, e.id, e.key, e.previous_id, e.type, e.timestamp_ms, e.details
        FROM events e JOIN history_keys k ON k.arn = e.execution_arn ORDER BY k.seq, e.id`);
      db.exec('DROP TABLE events');
    }
    if (old.some((table) => table.name === 'journal')) {
      db.exec(`INSERT OR REPLACE INTO step_journal (execution_seq, key, value)
        SELECT k.seq, j.key, j.value FROM journal j JOIN history_keys k ON k.arn = j.execution_arn`);
      db.exec('DROP TABLE journal');
    }
  })();
}

export function createSchema(db: Database.Database): void {
  db.exec(TABLES);
  moveArnKeyedHistory(db);
  for (const { table, column, definition } of ADDED_COLUMNS) {
    const columns = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
    if (!columns.some((existing) => existing.name === column)) {
      db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
    }
  }
}

export const EXECUTION_SELECT = `SELECT sequence, arn, state_machine_arn AS stateMachineArn, name, status, input,
  output, error, cause, start_ms AS startMs, stop_ms AS stopMs, definition, type, role_arn AS roleArn,
  redrive_count AS redriveCount, redrive_ms AS redriveMs, version_arn AS versionArn, alias_arn AS aliasArn
  FROM executions`;
export const TOKEN_SELECT = `SELECT token, execution_arn AS executionArn, step_key AS stepKey, status,
  deadline_ms AS deadlineMs, heartbeat_seconds AS heartbeatSeconds, heartbeat_deadline_ms AS heartbeatDeadlineMs,
  output, error, cause FROM task_tokens`;
const MACHINE_SELECT = `SELECT arn, name, definition, role_arn AS roleArn, type, created_ms AS createdMs,
  updated_ms AS updatedMs, revision_id AS revisionId FROM state_machines`;

export function machineStatements(db: Database.Database) {
  return {
    insertMachine: db.prepare(
      `INSERT INTO state_machines (arn, name, definition, role_arn, type, created_ms, updated_ms, revision_id)
       VALUES (@arn, @name, @definition, @roleArn, @type, @createdMs, @updatedMs, @revisionId)`,
    ),
    updateMachine: db.prepare(
      `UPDATE state_machines SET definition = @definition, role_arn = @roleArn, updated_ms = @updatedMs,
       revision_id = @revisionId WHERE arn = @arn`,
    ),
    getMachine: db.prepare(`${MACHINE_SELECT} WHERE arn = ?`),
    listMachines: db.prepare(`${MACHINE_SELECT} ORDER BY created_ms, arn`),
    deleteMachine: db.prepare('DELETE FROM state_machines WHERE arn = ?'),
  };
}

export function executionStatements(db: Database.Database) {
  return {
    insertExecution: db.prepare(
      `INSERT INTO executions (arn, state_machine_arn, name, status, input, start_ms, definition, type, role_arn,
       version_arn, alias_arn) VALUES (@arn, @stateMachineArn, @name, 'RUNNING', @input, @startMs, @definition,
       @type, @roleArn, @versionArn, @aliasArn)`,
    ),
    getExecution: db.prepare(`${EXECUTION_SELECT} WHERE arn = ?`),
    runningExecutions: db.prepare(`${EXECUTION_SELECT} WHERE status = 'RUNNING' ORDER BY sequence`),
    finishExecution: db.prepare(
      `UPDATE executions SET status = @status, output = @output, error = @error, cause = @cause, stop_ms = @stopMs
       WHERE arn = @arn AND status = 'RUNNING'`,
    ),
    redriveExecution: db.prepare(
      `UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, stop_ms = NULL,
       redrive_count = redrive_count + 1, redrive_ms = @redriveMs
       WHERE arn = @arn AND status IN ('FAILED', 'TIMED_OUT', 'ABORTED')`,
    ),
    insertRedriveToken: db.prepare(
      `INSERT OR REPLACE INTO redrive_tokens (execution_arn, client_token, redrive_ms) VALUES (?, ?, ?)`,
    ),
    redriveToken: db.prepare(
      'SELECT redrive_ms AS redriveMs FROM redrive_tokens WHERE execution_arn = ? AND client_token = ?',
    ),
    // AWS answers idempotently for the last 10 client tokens of an execution.
    trimRedriveTokens: db.prepare(
      `DELETE FROM redrive_tokens WHERE execution_arn = @arn AND client_token NOT IN (
         SELECT client_token FROM redrive_tokens WHERE execution_arn = @arn ORDER BY redrive_ms DESC LIMIT 10)`,
    ),
  };
}

const EVENT_SELECT = `SELECT id, previous_id AS previousEventId, type, timestamp_ms AS timestampMs, details,
  state_name AS stateName, state_text AS stateText FROM history_events`;

/** History and journal statements take the execution's `history_keys.seq` (see historySeq in history-tables). */
export function historyStatements(db: Database.Database) {
  return {
    addHistoryKey: db.prepare('INSERT OR IGNORE INTO history_keys (arn) VALUES (?)'),
    historyKey: db.prepare('SELECT seq FROM history_keys WHERE arn = ?'),
    eventsForward: db.prepare(`${EVENT_SELECT} WHERE execution_seq = ? AND id > ? ORDER BY id LIMIT ?`),
    eventsReverse: db.prepare(`${EVENT_SELECT} WHERE execution_seq = ? AND id < ? ORDER BY id DESC LIMIT ?`),
    eventKeys: db.prepare('SELECT key, id FROM history_events WHERE execution_seq = ?'),
    maxEventId: db.prepare('SELECT MAX(id) AS maxId FROM history_events WHERE execution_seq = ?'),
    journalFor: db.prepare('SELECT key, value FROM step_journal WHERE execution_seq = ?'),
    stepsFor: db.prepare(
      'SELECT step_key AS key, step_value AS value FROM history_events WHERE execution_seq = ? AND step_key IS NOT NULL',
    ),
    deleteJournal: db.prepare('DELETE FROM step_journal WHERE execution_seq = ? AND key = ?'),
    deleteStep: db.prepare(
      'UPDATE history_events SET step_key = NULL, step_value = NULL WHERE execution_seq = ? AND step_key = ?',
    ),
  };
}

export function tokenStatements(db: Database.Database) {
  return {
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
    // Tokens of a run before a redrive keep answering TaskTimedOut, but no new attempt finds them.
    retireTokensOf: db.prepare(
      `UPDATE task_tokens SET status = 'CLOSED', step_key = step_key || @suffix WHERE execution_arn = @arn`,
    ),
  };
}
