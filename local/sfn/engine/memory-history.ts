import type { HistoryTables } from './history-tables';
import {
  type HistoryEventRow,
  type JournalValue,
  type PendingEvent,
  stateEventDetails,
  type TextSource,
  textOf,
} from './store';
import type { UndoLog } from './undo-log';

/**
 * One execution's history, column by column. An in-memory engine keeps every event of every execution, and
 * the GC copying one object (and its key, details and boxed timestamp) per event kept was 40% of a Pass
 * chain's time (profiled); here an event is a slot in each array (the timestamps unboxed), and a state
 * entered/exited event keeps its name and the input/output text, which the previous state's exit shares.
 */
class EventColumns {
  readonly ids: number[] = [];
  readonly previous: number[] = [];
  readonly times: number[] = [];
  readonly types: string[] = [];
  readonly keys: string[] = [];
  /** A state event's state name (its payload is then its input or output text); undefined for others. */
  readonly names: (string | undefined)[] = [];
  /** The details text, or a state event's input or output text (or what writes it on first read). */
  readonly payloads: (TextSource | null)[] = [];

  /** The first index whose event id is greater than `id` (ids ascend). */
  indexAfter(id: number): number {
    const ids = this.ids;
    let low = 0;
    let high = ids.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((ids[middle] as number) <= id) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** False when an event of this id is already kept (a replayed step writes the same events again). */
  insert(event: PendingEvent): boolean {
    const count = this.ids.length;
    const name = event.stateName;
    const payload = name === undefined ? event.details : (event.stateText as TextSource);
    if (count === 0 || event.id > (this.ids[count - 1] as number)) {
      this.ids.push(event.id);
      this.previous.push(event.previousEventId);
      this.times.push(event.timestampMs);
      this.types.push(event.type);
      this.keys.push(event.key);
      this.names.push(name);
      this.payloads.push(payload);
      return true;
    }
    const at = this.indexAfter(event.id);
    if (this.ids[at - 1] === event.id) return false;
    this.ids.splice(at, 0, event.id);
    this.previous.splice(at, 0, event.previousEventId);
    this.times.splice(at, 0, event.timestampMs);
    this.types.splice(at, 0, event.type);
    this.keys.splice(at, 0, event.key);
    this.names.splice(at, 0, name);
    this.payloads.splice(at, 0, payload);
    return true;
  }

  remove(id: number): void {
    const at = this.indexAfter(id) - 1;
    if (this.ids[at] !== id) return;
    for (const column of [this.ids, this.previous, this.times, this.types, this.keys, this.names]) {
      column.splice(at, 1);
    }
    this.payloads.splice(at, 1);
  }

  row(at: number): HistoryEventRow {
    const type = this.types[at] as string;
    const name = this.names[at];
    const payload = this.payloads[at] ?? null;
    const text = payload === null ? null : textOf(payload);
    return {
      id: this.ids[at] as number,
      previousEventId: this.previous[at] as number,
      type,
      timestampMs: this.times[at] as number,
      details: name === undefined ? text : stateEventDetails(type, name, text as string),
    };
  }
}

/** History and journal in plain maps; inside a transaction of `undo`, each change registers how to take itself back. */
export function memoryHistoryTables(undo?: UndoLog): HistoryTables {
  const histories = new Map<string, EventColumns>();
  const journals = new Map<string, Map<string, JournalValue>>();
  const journalOf = (executionArn: string): Map<string, JournalValue> => {
    let journal = journals.get(executionArn);
    if (journal === undefined) {
      journal = new Map();
      journals.set(executionArn, journal);
    }
    return journal;
  };
  const recordJournalUndo = (journal: Map<string, JournalValue>, key: string) => {
    if (!undo?.active) return;
    const previous = journal.get(key);
    undo.record(() => (previous === undefined ? journal.delete(key) : journal.set(key, previous)));
  };
  const tables: HistoryTables = {
    insertStep(executionArn, events, key, value) {
      tables.insertEvents(executionArn, events);
      tables.putJournal(executionArn, key, value);
    },
    insertEvents(executionArn, events) {
      let history = histories.get(executionArn);
      if (history === undefined) {
        history = new EventColumns();
        histories.set(executionArn, history);
      }
      const kept = history;
      for (const event of events) {
        if (kept.insert(event) && undo?.active) undo.record(() => kept.remove(event.id));
      }
    },
    events(executionArn, reverse, afterId, limit) {
      const history = histories.get(executionArn);
      if (history === undefined) return [];
      const rows: HistoryEventRow[] = [];
      if (!reverse) {
        const start = history.indexAfter(afterId);
        const end = Math.min(history.ids.length, start + limit);
        for (let at = start; at < end; at++) rows.push(history.row(at));
        return rows;
      }
      const end = history.indexAfter(afterId - 1);
      for (let at = end - 1; at >= Math.max(0, end - limit); at--) rows.push(history.row(at));
      return rows;
    },
    eventKeys(executionArn) {
      const history = histories.get(executionArn);
      const keys = new Map<string, number>();
      if (history === undefined) return keys;
      for (let at = 0; at < history.keys.length; at++) {
        keys.set(history.keys[at] as string, history.ids[at] as number);
      }
      return keys;
    },
    maxEventId: (executionArn) => histories.get(executionArn)?.ids.at(-1) ?? 0,
    putJournal(executionArn, key, value) {
      const journal = journalOf(executionArn);
      recordJournalUndo(journal, key);
      journal.set(key, value);
    },
    journal(executionArn) {
      const texts = new Map<string, string>();
      for (const [key, value] of journals.get(executionArn) ?? []) texts.set(key, textOf(value));
      return texts;
    },
    deleteJournal(executionArn, key) {
      const journal = journals.get(executionArn);
      if (!journal?.has(key)) return;
      recordJournalUndo(journal, key);
      journal.delete(key);
    },
  };
  return tables;
}
