import type Database from 'better-sqlite3';
import type { HistoryEventRow, PendingEvent } from './store';
import { historyStatements } from './store-schema';
import type { UndoLog } from './undo-log';

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
  putJournal(executionArn: string, key: string, value: string): void;
  journal(executionArn: string): Map<string, string>;
  deleteJournal(executionArn: string, key: string): void;
  /** After a rolled-back transaction: forget what was cached from it. */
  afterRollback?(): void;
}

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
  return {
    insertEvents(executionArn, events) {
      if (events.length === 0) return;
      const seq = seqOf(executionArn, true);
      for (const event of events) {
        statements.insertEvent.run(
          seq,
          event.id,
          event.key,
          event.previousEventId,
          event.type,
          event.timestampMs,
          event.details,
        );
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
      void statements.putJournal.run(seqOf(executionArn, true), key, value),
    journal(executionArn) {
      const rows = statements.journalFor.all(seqOf(executionArn, false)) as { key: string; value: string }[];
      return new Map(rows.map((row) => [row.key, row.value]));
    },
    deleteJournal: (executionArn, key) => void statements.deleteJournal.run(seqOf(executionArn, false), key),
    // A key made in a rolled-back transaction is gone, and its number may be handed out again.
    afterRollback: () => seqs.clear(),
  };
}

/** The first index whose event id is greater than `id` (events are kept sorted by id). */
function indexAfter(events: readonly PendingEvent[], id: number): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((events[middle]?.id ?? 0) <= id) low = middle + 1;
    else high = middle;
  }
  return low;
}

const rowOf = ({ id, previousEventId, type, timestampMs, details }: PendingEvent): HistoryEventRow => ({
  id,
  previousEventId,
  type,
  timestampMs,
  details,
});

/** In plain maps; inside a transaction of `undo`, each change registers how to take itself back. */
export function memoryHistoryTables(undo?: UndoLog): HistoryTables {
  const histories = new Map<string, PendingEvent[]>();
  const journals = new Map<string, Map<string, string>>();
  const historyOf = (executionArn: string): PendingEvent[] => {
    let events = histories.get(executionArn);
    if (events === undefined) {
      events = [];
      histories.set(executionArn, events);
    }
    return events;
  };
  const removeEvent = (history: PendingEvent[], id: number) => {
    const at = indexAfter(history, id) - 1;
    if (history[at]?.id === id) history.splice(at, 1);
  };
  const journalOf = (executionArn: string): Map<string, string> => {
    let journal = journals.get(executionArn);
    if (journal === undefined) {
      journal = new Map();
      journals.set(executionArn, journal);
    }
    return journal;
  };
  const recordJournalUndo = (journal: Map<string, string>, key: string) => {
    if (!undo) return;
    const previous = journal.get(key);
    undo.record(() => (previous === undefined ? journal.delete(key) : journal.set(key, previous)));
  };
  return {
    insertEvents(executionArn, events) {
      const history = historyOf(executionArn);
      for (const event of events) {
        const last = history.at(-1);
        // Kept as given, not copied: the journal hands over its events and never touches them again, and
        // a copy would write the text of deferred details (see ExecutionJournal.emitFrozen) at once.
        if (last === undefined || event.id > last.id) history.push(event);
        else {
          const at = indexAfter(history, event.id);
          if (history[at - 1]?.id === event.id) continue;
          history.splice(at, 0, event);
        }
        undo?.record(() => removeEvent(history, event.id));
      }
    },
    events(executionArn, reverse, afterId, limit) {
      const history = histories.get(executionArn) ?? [];
      if (!reverse) {
        const start = indexAfter(history, afterId);
        return history.slice(start, start + limit).map(rowOf);
      }
      const end = indexAfter(history, afterId - 1);
      return history
        .slice(Math.max(0, end - limit), end)
        .reverse()
        .map(rowOf);
    },
    eventKeys: (executionArn) =>
      new Map((histories.get(executionArn) ?? []).map((event) => [event.key, event.id])),
    maxEventId: (executionArn) => histories.get(executionArn)?.at(-1)?.id ?? 0,
    putJournal(executionArn, key, value) {
      const journal = journalOf(executionArn);
      recordJournalUndo(journal, key);
      journal.set(key, value);
    },
    journal: (executionArn) => new Map(journals.get(executionArn)),
    deleteJournal(executionArn, key) {
      const journal = journals.get(executionArn);
      if (!journal?.has(key)) return;
      recordJournalUndo(journal, key);
      journal.delete(key);
    },
  };
}
