import type { ActivityRow, ActivityTaskRow, AliasRow, CatalogStorage, VersionRow } from './catalog-store';
import type { UndoLog } from './undo-log';

/** Thrown as SQLite throws on a duplicate primary key, so that callers see the same failure on both stores. */
export class DuplicateKeyError extends Error {
  constructor(table: string, key: string) {
    super(`UNIQUE constraint failed: ${table} (${key})`);
    this.name = 'DuplicateKeyError';
  }
}

const byCreationThenArn = (a: { createdMs: number; arn: string }, b: { createdMs: number; arn: string }) =>
  a.createdMs - b.createdMs || (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0);
const copyAlias = (row: AliasRow): AliasRow => ({
  ...row,
  routing: row.routing.map((entry) => ({ ...entry })),
});

/** A map whose changes inside a transaction are taken back when it fails. */
export class UndoableMap<K, V> {
  readonly entries = new Map<K, V>();
  constructor(private readonly undo: UndoLog) {}

  get(key: K): V | undefined {
    return this.entries.get(key);
  }
  set(key: K, value: V): void {
    const had = this.entries.has(key);
    const previous = this.entries.get(key);
    this.entries.set(key, value);
    this.undo.record(() => (had ? this.entries.set(key, previous as V) : this.entries.delete(key)));
  }
  delete(key: K): void {
    if (!this.entries.has(key)) return;
    const previous = this.entries.get(key) as V;
    this.entries.delete(key);
    this.undo.record(() => this.entries.set(key, previous));
  }
  values(): IterableIterator<V> {
    return this.entries.values();
  }
}

/** The catalog in plain maps (see CatalogStorage); rows are copied in and out, as SQLite rows are. */
export class MemoryCatalog implements CatalogStorage {
  private readonly counters: UndoableMap<string, number>;
  private readonly versions: UndoableMap<string, VersionRow>;
  private readonly aliases: UndoableMap<string, AliasRow>;
  private readonly activities: UndoableMap<string, ActivityRow>;
  /** By token, in the order queued (Map iteration order is insertion order: the oldest first). */
  private readonly tasks: UndoableMap<string, ActivityTaskRow>;
  private readonly tags: UndoableMap<string, Map<string, string>>;

  constructor(undo: UndoLog) {
    this.counters = new UndoableMap(undo);
    this.versions = new UndoableMap(undo);
    this.aliases = new UndoableMap(undo);
    this.activities = new UndoableMap(undo);
    this.tasks = new UndoableMap(undo);
    this.tags = new UndoableMap(undo);
  }

  nextVersionNumber(machineArn: string): number {
    const next = (this.counters.get(machineArn) ?? 0) + 1;
    this.counters.set(machineArn, next);
    return next;
  }
  insertVersion(row: VersionRow): void {
    if (this.versions.get(row.arn)) throw new DuplicateKeyError('machine_versions', row.arn);
    this.versions.set(row.arn, { ...row });
  }
  getVersion(arn: string): VersionRow | undefined {
    const row = this.versions.get(arn);
    return row && { ...row };
  }
  versionsOf(machineArn: string): VersionRow[] {
    return [...this.versions.values()]
      .filter((row) => row.machineArn === machineArn)
      .sort((a, b) => b.version - a.version)
      .map((row) => ({ ...row }));
  }
  deleteVersion(arn: string): void {
    this.versions.delete(arn);
  }

  putAlias(row: AliasRow): void {
    this.aliases.set(row.arn, copyAlias(row));
  }
  getAlias(arn: string): AliasRow | undefined {
    const row = this.aliases.get(arn);
    return row && copyAlias(row);
  }
  aliasesOf(machineArn: string): AliasRow[] {
    return [...this.aliases.values()]
      .filter((row) => row.machineArn === machineArn)
      .sort(byCreationThenArn)
      .map(copyAlias);
  }
  deleteAlias(arn: string): void {
    this.aliases.delete(arn);
  }
  forgetMachine(machineArn: string): void {
    for (const row of [...this.versions.values()])
      if (row.machineArn === machineArn) this.versions.delete(row.arn);
    for (const row of [...this.aliases.values()])
      if (row.machineArn === machineArn) this.aliases.delete(row.arn);
  }

  insertActivity(row: ActivityRow): void {
    if (this.activities.get(row.arn)) throw new DuplicateKeyError('activities', row.arn);
    this.activities.set(row.arn, { ...row });
  }
  getActivity(arn: string): ActivityRow | undefined {
    const row = this.activities.get(arn);
    return row && { ...row };
  }
  listActivities(): ActivityRow[] {
    return [...this.activities.values()].sort(byCreationThenArn).map((row) => ({ ...row }));
  }
  deleteActivity(arn: string): void {
    this.activities.delete(arn);
  }
  queueActivityTask(row: Pick<ActivityTaskRow, 'token' | 'activityArn' | 'input'>): void {
    if (this.tasks.get(row.token)) return;
    this.tasks.set(row.token, { ...row, workerName: null, takenMs: null });
  }
  takeActivityTask(
    activityArn: string,
    workerName: string | null,
    nowMs: number,
  ): ActivityTaskRow | undefined {
    for (const row of this.tasks.values()) {
      if (row.activityArn !== activityArn || row.takenMs !== null) continue;
      const taken = { ...row, workerName, takenMs: nowMs };
      this.tasks.set(row.token, taken);
      return { ...taken };
    }
    return undefined;
  }
  activityTask(token: string): ActivityTaskRow | undefined {
    const row = this.tasks.get(token);
    return row && { ...row };
  }
  dropActivityTask(token: string): void {
    this.tasks.delete(token);
  }

  putTags(resourceArn: string, tags: { key: string; value: string }[]): void {
    if (tags.length === 0) return;
    const next = new Map(this.tags.get(resourceArn));
    for (const tag of tags) next.set(tag.key, tag.value);
    this.tags.set(resourceArn, next);
  }
  removeTags(resourceArn: string, keys: string[]): void {
    const existing = this.tags.get(resourceArn);
    if (!existing) return;
    const next = new Map(existing);
    for (const key of keys) next.delete(key);
    this.tags.set(resourceArn, next);
  }
  tagsOf(resourceArn: string): { key: string; value: string }[] {
    return [...(this.tags.get(resourceArn) ?? new Map<string, string>())]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => ({ key, value }));
  }
  dropTags(resourceArn: string): void {
    this.tags.delete(resourceArn);
  }
}
