import type Database from 'better-sqlite3';
import { type HistoryEventRow, type JournalValue, journalText, type PendingEvent } from './store';
import { historyStatements } from './store-schema';

export { memoryHistoryTables } from './memory-history';

/**
 * An execution's history events and step journal: the two tables every transition writes. In SQLite for a
 * durable engine; in plain maps for an in-memory one, where SQLite's `:memory:` inserts were 40% of the time of
 * a Pass chain (profiled) and buy nothing, since an in-memory engine never resumes.
 */
export interface HistoryTables {
  /** Keeps the first event of each id (a replayed step writes the same events again). */
  insertEvents(executionArn: string, events: readonly PendingEvent[]): void;
  /** Ids after `afterId` ascending, or (reverse) before it descending; at most `limit`. */
  events(executionArn: string, reverse: boolean, afterId: number, limit: number): HistoryEventRow[];
  eventKeys(executionArn: string): Map<string, number>;
  maxEventId(executionArn: string): number;
  putJournal(executionArn: string, key: string, value: JournalValue): void;
  journal(executionArn: string): Map<string, string>;
  deleteJournal(executionArn: string, key: string): void;
  /** After a rolled-back transaction: forget what was cached from it. */
  afterRollback?(): void;
}

/** The most rows one history INSERT writes. */
const MAX_ROWS = 16;

export function sqliteHistoryTables(db: Database.Database): HistoryTables {
  const statements = historyStatements(db);
  const seqs = new Map<string, number>();
  /** The small integer that keys an execution's rows; made on its first write (reads of none find none). */
  const seqOf = (executionArn: string, create: boolean): number => {
    const known = seqs.get(executionArn);
    if (known !== undefined) return known;
    if (create) statements.addHistoryKey.run(executionArn);
    const row = statements.historyKey.get(executionArn) as { seq: number } | undefined;
    if (row === undefined) return -1;
    seqs.set(executionArn, row.seq);
    return row.seq;
  };
  /** One INSERT of up to MAX_ROWS rows, by row count: a step's events go in one statement run, not one each. */
  const inserts: Database.Statement[] = [];
  const insertOf = (rows: number): Database.Statement => {
    let statement = inserts[rows];
    if (statement === undefined) {
      const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
      statement = db.prepare(
        `INSERT OR IGNORE INTO history_events (execution_seq, id, key, previous_id, type, timestamp_ms, details) VALUES ${values}`,
      );
      inserts[rows] = statement;
    }
    return statement;
  };
  const parameters: unknown[] = [];
  return {
    insertEvents(executionArn, events) {
      if (events.length === 0) return;
      const seq = seqOf(executionArn, true);
      for (let start = 0; start < events.length; start += MAX_ROWS) {
        const end = Math.min(events.length, start + MAX_ROWS);
        parameters.length = 0;
        for (let at = start; at < end; at++) {
          const event = events[at] as PendingEvent;
          parameters.push(
            seq,
            event.id,
            event.key,
            event.previousEventId,
            event.type,
            event.timestampMs,
            event.details,
          );
        }
        insertOf(end - start).run(parameters);
      }
    },
    events: (executionArn, reverse, afterId, limit) =>
      (reverse ? statements.eventsReverse : statements.eventsForward).all(
        seqOf(executionArn, false),
        afterId,
        limit,
      ) as HistoryEventRow[],
    eventKeys(executionArn) {
      const rows = statements.eventKeys.all(seqOf(executionArn, false)) as { key: string; id: number }[];
      return new Map(rows.map((row) => [row.key, row.id]));
    },
    maxEventId(executionArn) {
      const row = statements.maxEventId.get(seqOf(executionArn, false)) as
        | { maxId: number | null }
        | undefined;
      return row?.maxId ?? 0;
    },
    putJournal: (executionArn, key, value) =>
      void statements.putJournal.run(seqOf(executionArn, true), key, journalText(value)),
    journal(executionArn) {
      const rows = statements.journalFor.all(seqOf(executionArn, false)) as { key: string; value: string }[];
      return new Map(rows.map((row) => [row.key, row.value]));
    },
    deleteJournal: (executionArn, key) => void statements.deleteJournal.run(seqOf(executionArn, false), key),
    // A key made in a rolled-back transaction is gone, and its number may be handed out again.
    afterRollback: () => seqs.clear(),
  };
}
