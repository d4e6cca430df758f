import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  type HistoryTables,
  memoryHistoryTables,
  sqliteHistoryTables,
} from '../../../local/sfn/engine/history-tables';
import type { PendingEvent } from '../../../local/sfn/engine/store';
import { createSchema } from '../../../local/sfn/engine/store-schema';

const ARN = 'arn:aws:states:us-east-1:000000000000:execution:m:e1';
const event = (id: number, key = `k${id}`): PendingEvent => ({
  key,
  id,
  previousEventId: id - 1,
  type: id === 1 ? 'ExecutionStarted' : 'PassStateEntered',
  timestampMs: 1_000 + id,
  details: JSON.stringify({ id }),
});

function sqlite(): HistoryTables {
  const db = new Database(':memory:');
  createSchema(db);
  return sqliteHistoryTables(db);
}

/** The in-memory tables must answer exactly as the SQLite ones: the engine reads both the same way. */
describe.each([
  ['SQLite', sqlite],
  ['in memory', memoryHistoryTables],
])('history tables (%s)', (_name, make) => {
  it('keeps the first event of an id, pages forward and backward, and knows the last id and the keys', () => {
    const tables = make();
    tables.insertEvents(ARN, [event(1), event(2), event(4)]);
    tables.insertEvents(ARN, [event(3), event(2, 'replayed'), event(5)]);
    expect(tables.maxEventId(ARN)).toBe(5);
    expect(tables.events(ARN, false, 0, 10).map((row) => row.id)).toEqual([1, 2, 3, 4, 5]);
    expect(tables.events(ARN, false, 2, 2).map((row) => row.id)).toEqual([3, 4]);
    expect(tables.events(ARN, true, 5, 3).map((row) => row.id)).toEqual([4, 3, 2]);
    expect(tables.events(ARN, true, Number.MAX_SAFE_INTEGER, 2).map((row) => row.id)).toEqual([5, 4]);
    expect(tables.events(ARN, false, 0, 1)[0]).toEqual({
      id: 1,
      previousEventId: 0,
      type: 'ExecutionStarted',
      timestampMs: 1_001,
      details: '{"id":1}',
    });
    expect(tables.eventKeys(ARN).get('k2')).toBe(2);
    expect(tables.eventKeys(ARN).has('replayed')).toBe(false);
    expect(tables.maxEventId('arn:other')).toBe(0);
    expect(tables.events('arn:other', false, 0, 10)).toEqual([]);
  });

  it('replaces, reads and deletes journal entries per execution', () => {
    const tables = make();
    tables.putJournal(ARN, 'step:1', 'a');
    tables.putJournal(ARN, 'step:1', 'b');
    tables.putJournal(ARN, 'step:2', 'c');
    tables.putJournal('arn:other', 'step:1', 'x');
    tables.deleteJournal(ARN, 'step:2');
    const journal = tables.journal(ARN);
    expect([...journal]).toEqual([['step:1', 'b']]);
    journal.set('step:9', 'changed by the reader');
    expect(tables.journal(ARN).has('step:9')).toBe(false);
  });
});

describe('SQLite history tables of an earlier engine', () => {
  it('move to the integer-keyed tables on open, events and journal intact', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE events (
      execution_arn TEXT NOT NULL, id INTEGER NOT NULL, key TEXT NOT NULL, previous_id INTEGER NOT NULL,
      type TEXT NOT NULL, timestamp_ms INTEGER NOT NULL, details TEXT, PRIMARY KEY (execution_arn, id)) WITHOUT ROWID;
      CREATE TABLE journal (execution_arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
      PRIMARY KEY (execution_arn, key)) WITHOUT ROWID;`);
    const insert = db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const id of [2, 1])
      insert.run(ARN, id, `k${id}`, id - 1, 'PassStateEntered', 1_000 + id, `{"id":${id}}`);
    insert.run('arn:other', 1, 'k1', 0, 'ExecutionStarted', 5, null);
    db.prepare('INSERT INTO journal VALUES (?, ?, ?)').run(ARN, 'step:1', 'a');
    createSchema(db);
    const tables = sqliteHistoryTables(db);
    expect(tables.events(ARN, false, 0, 10).map((row) => [row.id, row.details])).toEqual([
      [1, '{"id":1}'],
      [2, '{"id":2}'],
    ]);
    expect(tables.maxEventId('arn:other')).toBe(1);
    expect([...tables.journal(ARN)]).toEqual([['step:1', 'a']]);
    tables.insertEvents(ARN, [event(3)]);
    expect(tables.maxEventId(ARN)).toBe(3);
    const old = db.prepare("SELECT name FROM sqlite_master WHERE name IN ('events', 'journal')").all();
    expect(old).toEqual([]);
  });

  it('leave a table named events that is not theirs alone', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE events (seq INTEGER PRIMARY KEY, detail TEXT)');
    db.prepare('INSERT INTO events (detail) VALUES (?)').run('kept');
    createSchema(db);
    expect(db.prepare('SELECT detail FROM events').all()).toEqual([{ detail: 'kept' }]);
  });
});
