import type Database from 'better-sqlite3';
import {
  type HistoryEventRow,
  type JournalValue,
  type PendingEvent,
  stateEventDetails,
  textOf,
} from './store';
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
  /** A step: its events, and its journal entry (as putJournal), which a store may keep with the last event. */
  insertStep(executionArn: string, events: readonly PendingEvent[], key: string, value: JournalValue): void;
  /** Ids after `afterId` ascending, or (reverse) before it descending; at most `limit`. */
  events(executionArn: string, reverse: boolean, afterId: number, limit: number): HistoryEventRow[];
  eventKeys(executionArn: string): Map<string, number>;
  maxEventId(executionArn: string): number;
  putJournal(executionArn: string, key: string, value: JournalValue): void;
  journal(executionArn: string): Map<string, string>;
  deleteJournal(executionArn: string, key: string): void;
  /** Before a transaction commits: write what is still buffered in it. */
  beforeCommit?(): void;
  /** After a rolled-back transaction: forget what was cached or buffered in it. */
  afterRollback?(): void;
}

/** A history row as read: a state event's details are made from its name and text. */
type StoredEventRow = HistoryEventRow & { stateName: string | null; stateText: string | null };
type JournalRow = { key: string; value: string };

/** The most rows one history or journal INSERT writes. */
const MAX_ROWS = 32;
const EVENT_COLUMNS = 11;
const JOURNAL_COLUMNS = 3;

/**
 * Rows of one table waiting for their INSERT: inside a transaction, the rows of many steps (of many
 * executions) go in statements of MAX_ROWS rows, one statement run each instead of one per step (profiled:
 * the statement runs of a Pass chain on file). Written before the transaction commits and before any read.
 */
class RowBuffer {
  private readonly values: unknown[] = [];
  private readonly statements: Database.Statement[] = [];

  constructor(
    private readonly db: Database.Database,
    private readonly head: string,
    private readonly columns: number,
  ) {}

  add(): unknown[] {
    return this.values;
  }

  /** Runs the full statements; all of them when `all` (or when no transaction is open to hold rows). */
  write(all: boolean): void {
    const values = this.values;
    const perStatement = MAX_ROWS * this.columns;
    let at = 0;
    while (values.length - at >= perStatement) {
      this.statementOf(MAX_ROWS).run(values.slice(at, at + perStatement));
      at += perStatement;
    }
    if ((all || !this.db.inTransaction) && at < values.length) {
      this.statementOf((values.length - at) / this.columns).run(values.slice(at));
      at = values.length;
    }
    values.splice(0, at);
  }

  discard(): void {
    this.values.length = 0;
  }

  private statementOf(rows: number): Database.Statement {
    let statement = this.statements[rows];
    if (statement === undefined) {
      const row = `(${Array.from({ length: this.columns }, () => '?').join(', ')})`;
      statement = this.db.prepare(
        `${this.head} VALUES ${Array.from({ length: rows }, () => row).join(', ')}`,
      );
      this.statements[rows] = statement;
    }
    return statement;
  }
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
  const eventRows = new RowBuffer(
    db,
    `INSERT OR IGNORE INTO history_events (execution_seq, id, key, previous_id, type, timestamp_ms, details,
     state_name, state_text, step_key, step_value)`,
    EVENT_COLUMNS,
  );
  /** Buffers the rows of `events`; the last one carries the step's journal entry when `stepKey` is given. */
  const bufferEvents = (
    executionArn: string,
    events: readonly PendingEvent[],
    stepKey: string | null,
    stepValue: string | null,
  ) => {
    const seq = seqOf(executionArn, true);
    const values = eventRows.add();
    const last = events.length - 1;
    for (let index = 0; index <= last; index++) {
      const event = events[index] as PendingEvent;
      // A state event keeps its name and text: escaping the text into its details was 5% of a Pass chain.
      const stateText =
        event.stateName === undefined || event.stateText === undefined ? undefined : textOf(event.stateText);
      values.push(
        seq,
        event.id,
        event.key,
        event.previousEventId,
        event.type,
        event.timestampMs,
        stateText === undefined ? event.details : null,
        stateText === undefined ? null : event.stateName,
        stateText ?? null,
        index === last ? stepKey : null,
        index === last ? stepValue : null,
      );
    }
    eventRows.write(false);
  };
  const journalRows = new RowBuffer(
    db,
    'INSERT OR REPLACE INTO step_journal (execution_seq, key, value)',
    JOURNAL_COLUMNS,
  );
  const putJournal = (executionArn: string, key: string, value: JournalValue) => {
    journalRows.add().push(seqOf(executionArn, true), key, textOf(value));
    journalRows.write(false);
  };
  /** Every buffered row written, in order: before a read, a delete, or the commit. */
  const writeBuffered = () => {
    eventRows.write(true);
    journalRows.write(true);
  };
  return {
    insertEvents(executionArn, events) {
      if (events.length > 0) bufferEvents(executionArn, events, null, null);
    },
    insertStep(executionArn, events, key, value) {
      // A step's entry rides on its last event's row: one row fewer per step (profiled: the row writes were a
      // quarter of a Pass chain on file). A step whose events a replay found written has its own row.
      if (events.length > 0) bufferEvents(executionArn, events, key, textOf(value));
      else putJournal(executionArn, key, value);
    },
    events(executionArn, reverse, afterId, limit) {
      writeBuffered();
      const rows = (reverse ? statements.eventsReverse : statements.eventsForward).all(
        seqOf(executionArn, false),
        afterId,
        limit,
      ) as StoredEventRow[];
      return rows.map(({ stateName, stateText, ...row }) =>
        stateName === null || stateText === null
          ? row
          : { ...row, details: stateEventDetails(row.type, stateName, stateText) },
      );
    },
    eventKeys(executionArn) {
      writeBuffered();
      const rows = statements.eventKeys.all(seqOf(executionArn, false)) as { key: string; id: number }[];
      return new Map(rows.map((row) => [row.key, row.id]));
    },
    maxEventId(executionArn) {
      writeBuffered();
      const row = statements.maxEventId.get(seqOf(executionArn, false)) as
        | { maxId: number | null }
        | undefined;
      return row?.maxId ?? 0;
    },
    putJournal,
    journal(executionArn) {
      writeBuffered();
      const seq = seqOf(executionArn, false);
      // A key is in one place: a step's entry on its last event, anything else (or a step without events) in
      // step_journal; the latter read last, as it is where an entry is replaced.
      const rows = [...statements.stepsFor.all(seq), ...statements.journalFor.all(seq)] as JournalRow[];
      return new Map(rows.map((row) => [row.key, row.value]));
    },
    deleteJournal(executionArn, key) {
      writeBuffered();
      const seq = seqOf(executionArn, false);
      statements.deleteJournal.run(seq, key);
      statements.deleteStep.run(seq, key);
    },
    beforeCommit: writeBuffered,
    // A key made in a rolled-back transaction is gone, and its number may be handed out again; rows that
    // waited for the rolled-back transaction go with it.
    afterRollback() {
      seqs.clear();
      eventRows.discard();
      journalRows.discard();
    },
  };
}
