import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  type HistoryTables,
  memoryHistoryTables,
  sqliteHistoryTables,
} from '../../../local/sfn/engine/history-tables';
import { type PendingEvent, stateEventDetails } from '../../../local/sfn/engine/store';
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

  it('keeps a step with its events: state events read back with their details, its entry in the journal', () => {
    const tables = make();
    const stateEvent = (id: number, type: string, stateText: string): PendingEvent => ({
      key: `k${id}`,
      id,
      previousEventId: id - 1,
      type,
      timestampMs: 1_000 + id,
      stateName: 'Say "hi"',
      stateText,
      get details() {
        return stateEventDetails(type, 'Say "hi"', stateText);
      },
    });
    tables.insertStep(
      ARN,
      [stateEvent(1, 'PassStateEntered', '{"a":1}'), stateEvent(2, 'PassStateExited', '{"a":"\\n"}')],
      'Say#0',
      '{"output":{"a":"\\n"},"next":null}',
    );
    // A replayed step whose events were all written before: its entry alone.
    tables.insertStep(ARN, [], 'Other#0', 'second');
    expect(tables.events(ARN, false, 0, 10).map((row) => JSON.parse(row.details ?? 'null'))).toEqual([
      {
        stateEnteredEventDetails: { name: 'Say "hi"', input: '{"a":1}', inputDetails: { truncated: false } },
      },
      {
        stateExitedEventDetails: {
          name: 'Say "hi"',
          output: '{"a":"\\n"}',
          outputDetails: { truncated: false },
        },
      },
    ]);
    expect(Object.fromEntries(tables.journal(ARN))).toEqual({
      'Say#0': '{"output":{"a":"\\n"},"next":null}',
      'Other#0': 'second',
    });
    tables.deleteJournal(ARN, 'Say#0');
    expect([...tables.journal(ARN).keys()]).toEqual(['Other#0']);
    expect(tables.events(ARN, false, 0, 10)).toHaveLength(2);
  });
});

describe('SQLite history tables of an earlier engine', () => {
  it('gain the columns of a step on open: the old rows read as before, new steps go beside them', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE history_keys (seq INTEGER PRIMARY KEY AUTOINCREMENT, arn TEXT NOT NULL UNIQUE);
      CREATE TABLE history_events (execution_seq INTEGER NOT NULL, id INTEGER NOT NULL, key TEXT NOT NULL,
      previous_id INTEGER NOT NULL, type TEXT NOT NULL, timestamp_ms INTEGER NOT NULL, details TEXT);
      CREATE UNIQUE INDEX history_events_by_execution ON history_events (execution_seq, id);
      CREATE TABLE step_journal (execution_seq INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL);
      CREATE UNIQUE INDEX step_journal_by_execution ON step_journal (execution_seq, key);`);
    db.prepare('INSERT INTO history_keys (arn) VALUES (?)').run(ARN);
    db.prepare('INSERT INTO history_events VALUES (1, 1, ?, 0, ?, 1001, ?)').run(
      'k1',
      'PassStateExited',
      '{"id":1}',
    );
    db.prepare('INSERT INTO step_journal VALUES (1, ?, ?)').run('P0#0', 'old');
    createSchema(db);
    const tables = sqliteHistoryTables(db);
    tables.insertStep(ARN, [event(2)], 'P1#0', 'new');
    expect(tables.events(ARN, false, 0, 10).map((row) => row.details)).toEqual(['{"id":1}', '{"id":2}']);
    expect(Object.fromEntries(tables.journal(ARN))).toEqual({ 'P0#0': 'old', 'P1#0': 'new' });
  });

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
