import type Database from 'better-sqlite3';

/**
 * The engine's catalog beside its state machines: published versions, aliases, activities (with the tasks
 * waiting for a worker) and tags. Kept in the same SQLite database as the executions.
 */
const TABLES = `
  CREATE TABLE IF NOT EXISTS machine_versions (
    arn TEXT PRIMARY KEY, machine_arn TEXT NOT NULL, version INTEGER NOT NULL, definition TEXT NOT NULL,
    role_arn TEXT NOT NULL, type TEXT NOT NULL, revision_id TEXT NOT NULL, description TEXT,
    created_ms INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS version_counters (machine_arn TEXT PRIMARY KEY, last INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS machine_aliases (
    arn TEXT PRIMARY KEY, machine_arn TEXT NOT NULL, name TEXT NOT NULL, description TEXT,
    routing TEXT NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER);
  CREATE TABLE IF NOT EXISTS activities (arn TEXT PRIMARY KEY, name TEXT NOT NULL, created_ms INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS activity_tasks (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT, token TEXT NOT NULL UNIQUE, activity_arn TEXT NOT NULL,
    input TEXT NOT NULL, worker_name TEXT, taken_ms INTEGER);
  CREATE INDEX IF NOT EXISTS activity_tasks_waiting ON activity_tasks (activity_arn, taken_ms, sequence);
  CREATE TABLE IF NOT EXISTS tags (
    resource_arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (resource_arn, key)) WITHOUT ROWID;
`;

export interface VersionRow {
  arn: string;
  machineArn: string;
  version: number;
  definition: string;
  roleArn: string;
  type: string;
  revisionId: string;
  description: string | null;
  createdMs: number;
}

export interface RoutingEntry {
  stateMachineVersionArn: string;
  weight: number;
}

export interface AliasRow {
  arn: string;
  machineArn: string;
  name: string;
  description: string | null;
  routing: RoutingEntry[];
  createdMs: number;
  updatedMs: number | null;
}

export interface ActivityRow {
  arn: string;
  name: string;
  createdMs: number;
}

export interface ActivityTaskRow {
  token: string;
  activityArn: string;
  input: string;
  workerName: string | null;
  takenMs: number | null;
}

const VERSION_SELECT = `SELECT arn, machine_arn AS machineArn, version, definition, role_arn AS roleArn, type,
  revision_id AS revisionId, description, created_ms AS createdMs FROM machine_versions`;
const ALIAS_SELECT = `SELECT arn, machine_arn AS machineArn, name, description, routing, created_ms AS createdMs,
  updated_ms AS updatedMs FROM machine_aliases`;
const TASK_SELECT = `SELECT token, activity_arn AS activityArn, input, worker_name AS workerName,
  taken_ms AS takenMs FROM activity_tasks`;

function statements(db: Database.Database) {
  return {
    insertVersion: db.prepare(
      `INSERT INTO machine_versions (arn, machine_arn, version, definition, role_arn, type, revision_id,
       description, created_ms) VALUES (@arn, @machineArn, @version, @definition, @roleArn, @type, @revisionId,
       @description, @createdMs)`,
    ),
    bumpCounter: db.prepare(
      `INSERT INTO version_counters (machine_arn, last) VALUES (?, 1)
       ON CONFLICT (machine_arn) DO UPDATE SET last = last + 1 RETURNING last`,
    ),
    getVersion: db.prepare(`${VERSION_SELECT} WHERE arn = ?`),
    versionsOf: db.prepare(`${VERSION_SELECT} WHERE machine_arn = ? ORDER BY version DESC`),
    deleteVersion: db.prepare('DELETE FROM machine_versions WHERE arn = ?'),
    putAlias: db.prepare(
      `INSERT OR REPLACE INTO machine_aliases (arn, machine_arn, name, description, routing, created_ms,
       updated_ms) VALUES (@arn, @machineArn, @name, @description, @routing, @createdMs, @updatedMs)`,
    ),
    getAlias: db.prepare(`${ALIAS_SELECT} WHERE arn = ?`),
    aliasesOf: db.prepare(`${ALIAS_SELECT} WHERE machine_arn = ? ORDER BY created_ms, arn`),
    deleteAlias: db.prepare('DELETE FROM machine_aliases WHERE arn = ?'),
    forgetMachine: [
      db.prepare('DELETE FROM machine_versions WHERE machine_arn = ?'),
      db.prepare('DELETE FROM machine_aliases WHERE machine_arn = ?'),
    ],
    insertActivity: db.prepare(
      'INSERT INTO activities (arn, name, created_ms) VALUES (@arn, @name, @createdMs)',
    ),
    getActivity: db.prepare('SELECT arn, name, created_ms AS createdMs FROM activities WHERE arn = ?'),
    listActivities: db.prepare(
      'SELECT arn, name, created_ms AS createdMs FROM activities ORDER BY created_ms, arn',
    ),
    deleteActivity: db.prepare('DELETE FROM activities WHERE arn = ?'),
    queueTask: db.prepare(
      'INSERT OR IGNORE INTO activity_tasks (token, activity_arn, input) VALUES (@token, @activityArn, @input)',
    ),
    nextWaitingTask: db.prepare(
      `${TASK_SELECT} WHERE activity_arn = ? AND taken_ms IS NULL ORDER BY sequence LIMIT 1`,
    ),
    takeTask: db.prepare(
      'UPDATE activity_tasks SET worker_name = ?, taken_ms = ? WHERE token = ? AND taken_ms IS NULL',
    ),
    getTask: db.prepare(`${TASK_SELECT} WHERE token = ?`),
    dropTask: db.prepare('DELETE FROM activity_tasks WHERE token = ?'),
    putTag: db.prepare('INSERT OR REPLACE INTO tags (resource_arn, key, value) VALUES (?, ?, ?)'),
    deleteTag: db.prepare('DELETE FROM tags WHERE resource_arn = ? AND key = ?'),
    tagsOf: db.prepare('SELECT key, value FROM tags WHERE resource_arn = ? ORDER BY key'),
    dropTags: db.prepare('DELETE FROM tags WHERE resource_arn = ?'),
  };
}

/** The catalog as the engine uses it; `CatalogStore` (SQLite) and `MemoryCatalog` (plain objects) answer alike. */
export interface CatalogStorage {
  /** The next version number of a machine: numbers are never reused, even after a delete. */
  nextVersionNumber(machineArn: string): number;
  insertVersion(row: VersionRow): void;
  getVersion(arn: string): VersionRow | undefined;
  /** Newest first. */
  versionsOf(machineArn: string): VersionRow[];
  deleteVersion(arn: string): void;
  /** Inserts or replaces. */
  putAlias(row: AliasRow): void;
  getAlias(arn: string): AliasRow | undefined;
  /** By creation time, then ARN. */
  aliasesOf(machineArn: string): AliasRow[];
  deleteAlias(arn: string): void;
  /** A deleted state machine takes its versions and aliases with it. */
  forgetMachine(machineArn: string): void;
  insertActivity(row: ActivityRow): void;
  getActivity(arn: string): ActivityRow | undefined;
  /** By creation time, then ARN. */
  listActivities(): ActivityRow[];
  deleteActivity(arn: string): void;
  /** Idempotent: a replayed execution queues the same token once. */
  queueActivityTask(row: Pick<ActivityTaskRow, 'token' | 'activityArn' | 'input'>): void;
  /** Hands the oldest waiting task of the activity to a worker, or undefined when none waits. */
  takeActivityTask(
    activityArn: string,
    workerName: string | null,
    nowMs: number,
  ): ActivityTaskRow | undefined;
  activityTask(token: string): ActivityTaskRow | undefined;
  dropActivityTask(token: string): void;
  /** Inserts or replaces each key. */
  putTags(resourceArn: string, tags: { key: string; value: string }[]): void;
  removeTags(resourceArn: string, keys: string[]): void;
  /** By key. */
  tagsOf(resourceArn: string): { key: string; value: string }[];
  dropTags(resourceArn: string): void;
}

export class CatalogStore implements CatalogStorage {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    db.exec(TABLES);
    this.statements = statements(db);
  }

  /** The next version number of a machine: numbers are never reused, even after a delete. */
  nextVersionNumber(machineArn: string): number {
    return (this.statements.bumpCounter.get(machineArn) as { last: number }).last;
  }
  insertVersion(row: VersionRow): void {
    this.statements.insertVersion.run(row);
  }
  getVersion(arn: string): VersionRow | undefined {
    return this.statements.getVersion.get(arn) as VersionRow | undefined;
  }
  /** Newest first. */
  versionsOf(machineArn: string): VersionRow[] {
    return this.statements.versionsOf.all(machineArn) as VersionRow[];
  }
  deleteVersion(arn: string): void {
    this.statements.deleteVersion.run(arn);
  }

  putAlias(row: AliasRow): void {
    this.statements.putAlias.run({ ...row, routing: JSON.stringify(row.routing) });
  }
  getAlias(arn: string): AliasRow | undefined {
    const row = this.statements.getAlias.get(arn) as
      | (Omit<AliasRow, 'routing'> & { routing: string })
      | undefined;
    return row && { ...row, routing: JSON.parse(row.routing) as RoutingEntry[] };
  }
  aliasesOf(machineArn: string): AliasRow[] {
    const rows = this.statements.aliasesOf.all(machineArn) as (Omit<AliasRow, 'routing'> & {
      routing: string;
    })[];
    return rows.map((row) => ({ ...row, routing: JSON.parse(row.routing) as RoutingEntry[] }));
  }
  deleteAlias(arn: string): void {
    this.statements.deleteAlias.run(arn);
  }
  /** A deleted state machine takes its versions and aliases with it. */
  forgetMachine(machineArn: string): void {
    for (const statement of this.statements.forgetMachine) statement.run(machineArn);
  }

  insertActivity(row: ActivityRow): void {
    this.statements.insertActivity.run(row);
  }
  getActivity(arn: string): ActivityRow | undefined {
    return this.statements.getActivity.get(arn) as ActivityRow | undefined;
  }
  listActivities(): ActivityRow[] {
    return this.statements.listActivities.all() as ActivityRow[];
  }
  deleteActivity(arn: string): void {
    this.statements.deleteActivity.run(arn);
  }
  /** Idempotent: a replayed execution queues the same token once. */
  queueActivityTask(row: Pick<ActivityTaskRow, 'token' | 'activityArn' | 'input'>): void {
    this.statements.queueTask.run(row);
  }
  /** Hands the oldest waiting task of the activity to a worker, or undefined when none waits. */
  takeActivityTask(
    activityArn: string,
    workerName: string | null,
    nowMs: number,
  ): ActivityTaskRow | undefined {
    return this.db.transaction(() => {
      const row = this.statements.nextWaitingTask.get(activityArn) as ActivityTaskRow | undefined;
      if (!row) return undefined;
      this.statements.takeTask.run(workerName, nowMs, row.token);
      return { ...row, workerName, takenMs: nowMs };
    })();
  }
  activityTask(token: string): ActivityTaskRow | undefined {
    return this.statements.getTask.get(token) as ActivityTaskRow | undefined;
  }
  dropActivityTask(token: string): void {
    this.statements.dropTask.run(token);
  }

  putTags(resourceArn: string, tags: { key: string; value: string }[]): void {
    for (const tag of tags) this.statements.putTag.run(resourceArn, tag.key, tag.value);
  }
  removeTags(resourceArn: string, keys: string[]): void {
    for (const key of keys) this.statements.deleteTag.run(resourceArn, key);
  }
  tagsOf(resourceArn: string): { key: string; value: string }[] {
    return this.statements.tagsOf.all(resourceArn) as { key: string; value: string }[];
  }
  dropTags(resourceArn: string): void {
    this.statements.dropTags.run(resourceArn);
  }
}
