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
}

export function sqliteHistoryTables(db: Database.Database): HistoryTables {
  const statements = historyStatements(db);
  return {
    insertEvents(executionArn, events) {
      for (const event of events) {
        statements.insertEvent.run(
          executionArn,
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
        executionArn,
        afterId,
        limit,
      ) as HistoryEventRow[],
    eventKeys(executionArn) {
      const rows = statements.eventKeys.all(executionArn) as { key: string; id: number }[];
      return new Map(rows.map((row) => [row.key, row.id]));
    },
    maxEventId(executionArn) {
      const row = statements.maxEventId.get(executionArn) as { maxId: number | null } | undefined;
      return row?.maxId ?? 0;
    },
    putJournal: (executionArn, key, value) => void statements.putJournal.run(executionArn, key, value),
    journal(executionArn) {
      const rows = statements.journalFor.all(executionArn) as { key: string; value: string }[];
      return new Map(rows.map((row) => [row.key, row.value]));
    },
    deleteJournal: (executionArn, key) => void statements.deleteJournal.run(executionArn, key),
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
