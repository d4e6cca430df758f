import { ExecutionHalted } from '../cancellation';
import type { CommitQueue, QueuedWrite } from '../commit-queue';
import {
  type EngineStorage,
  type JournalValue,
  type PendingEvent,
  stateEventDetails,
  type TextSource,
  textOf,
} from '../store';
import { EndWrite, type ExecutionEnding, endExecution, failedEnding } from './execution-end';
import type { Strand } from './state-run';

/** The history key of the ExecutionRedriven event of redrive number `redriveCount`. */
export function redrivenEventKey(redriveCount: number): string {
  return `execution|redrive@${redriveCount}`;
}

/**
 * The event keys of the top strand of a run that is not a redrive (`|<n>`): one text per number for every
 * execution, instead of two new ones per step that the in-memory history keeps.
 */
const TOP_EVENT_KEYS_KEPT = 100_000;
const topEventKeys: string[] = [];
function topEventKey(count: number): string {
  let key = topEventKeys[count];
  if (key === undefined) {
    key = `|${count}`;
    topEventKeys[count] = key;
  }
  return key;
}

/** A history event whose details text is written on first read (see ExecutionJournal.emitFrozen). */
class DeferredDetailsEvent implements PendingEvent {
  private text: string | undefined;
  constructor(
    readonly key: string,
    readonly id: number,
    readonly previousEventId: number,
    readonly type: string,
    readonly timestampMs: number,
    private detailsKey: string,
    private source: Record<string, unknown> | undefined,
  ) {}

  get details(): string {
    if (this.text === undefined) {
      this.text = JSON.stringify({ [this.detailsKey]: this.source });
      this.source = undefined;
      this.detailsKey = '';
    }
    return this.text;
  }
}

/**
 * A state entered/exited event without variables: the state's name and its input or output text, the details
 * text written on first read (SQLite writes it; the in-memory store keeps the two strings instead).
 */
class StateEvent implements PendingEvent {
  constructor(
    readonly key: string,
    readonly id: number,
    readonly previousEventId: number,
    readonly type: string,
    readonly timestampMs: number,
    readonly stateName: string,
    readonly stateText: TextSource,
  ) {}

  get details(): string {
    return stateEventDetails(this.type, this.stateName, textOf(this.stateText));
  }
}

/** A commit's buffered events and journal entries, written when the queue's transaction runs. */
class JournalWrite implements QueuedWrite {
  constructor(
    private readonly store: EngineStorage,
    private readonly arn: string,
    private readonly events: PendingEvent[],
    private readonly entries: readonly (readonly [string, JournalValue])[],
  ) {}

  write(): void {
    this.store.insertEvents(this.arn, this.events);
    for (const [key, value] of this.entries) this.store.putJournal(this.arn, key, value);
  }
}

/** A step's events and its one journal entry (no entries array per step). */
class StepWrite implements QueuedWrite {
  constructor(
    private readonly store: EngineStorage,
    private readonly arn: string,
    private readonly events: PendingEvent[],
    private readonly key: string,
    private readonly entry: JournalValue,
  ) {}

  write(): void {
    this.store.insertStep(this.arn, this.events, this.key, this.entry);
  }
}

/** What a state handler may do with the execution's history and journal. */
export interface Journal {
  /** True once the execution has ended or the engine let go of it; nothing more is written then. */
  readonly ended: boolean;
  /** Buffers a history event of `strand` (or, on a replay, finds the one written before); returns its id. */
  emit(strand: Strand, type: string, detailsKey?: string, details?: unknown): number;
  /**
   * Writes the buffered events and these journal entries; await it before acting on what was committed.
   * Undefined when it was written at once (nothing to wait for: an in-memory store, or nothing to write).
   */
  commit(entries?: [string, string][]): Promise<void> | undefined;
  /**
   * As commit, without waiting: for entries whose content is already durable elsewhere (a callback's answer in
   * its token row). They are written, in order, before anything that follows is seen (see CommitQueue).
   */
  commitDetached(entries: [string, string][]): void;
  /** A value computed once per execution (a due time, an attempt's outcome), the same after a restart. */
  remember<T>(key: string, compute: () => T): Promise<T>;
  /** A journal entry committed earlier (in this run or before a restart). */
  recall(key: string): string | undefined;
  /** Writes the buffered events and `work` in one transaction now (a task token before anyone sees it). */
  writeNow(work: () => void): void;
}

/**
 * The history and journal of one execution. Every finished state is a committed step (output, next state,
 * variables, history position); a restarted engine replays the journal, so committed states never run again.
 */
export class ExecutionJournal implements Journal {
  private readonly entries: Map<string, string>;
  private readonly replayEventKeys: Map<string, number> | undefined;
  private nextEventId: number;
  private pending: PendingEvent[] = [];
  private closed = false;
  /** A detached step's transaction failed: the execution cannot go on as if it were written. */
  private commitFailure: unknown;
  /** Event keys of a redriven run carry its redrive count, so they never meet the failed run's keys. */
  private readonly keySuffix: string;
  /** The ExecutionRedriven event: the first event of a strand after a redrive follows it. */
  private readonly redrivenEventId: number;

  constructor(
    private readonly store: EngineStorage,
    private readonly commits: CommitQueue,
    private readonly arn: string,
    resume: boolean,
    redriveCount = 0,
  ) {
    this.entries = resume ? store.journal(arn) : new Map();
    this.replayEventKeys = resume ? store.eventKeys(arn) : undefined;
    this.nextEventId = resume ? store.maxEventId(arn) : 0;
    this.keySuffix = redriveCount > 0 ? `@${redriveCount}` : '';
    this.redrivenEventId =
      redriveCount > 0 ? (this.replayEventKeys?.get(redrivenEventKey(redriveCount)) ?? 0) : 0;
  }

  get ended(): boolean {
    return this.closed;
  }

  emit(strand: Strand, type: string, detailsKey?: string, details?: unknown): number {
    return this.push(strand, type, detailsKey ? JSON.stringify({ [detailsKey]: details }) : null);
  }

  /**
   * As emit, for details made only of values nobody changes afterwards (strings, fresh objects): their text is
   * written when first read. Stringifying the state entered/exited details was the largest cost of a step
   * (profiled), and an in-memory engine only pays it when someone reads the history.
   */
  emitFrozen(strand: Strand, type: string, detailsKey: string, details: Record<string, unknown>): number {
    return this.push(strand, type, detailsKey, details);
  }

  /** `details` is the JSON text (or null), or, with `frozen`, the object to write under `details` on first read. */
  private push(
    strand: Strand,
    type: string,
    details: string | null,
    frozen?: Record<string, unknown>,
  ): number {
    const key = this.nextKey(strand);
    if (key === undefined) return strand.lastEventId;
    const id = ++this.nextEventId;
    const previousEventId = Math.max(strand.lastEventId, this.redrivenEventId);
    const timestampMs = Date.now();
    this.pending.push(
      frozen === undefined || details === null
        ? { key, id, previousEventId, type, timestampMs, details }
        : new DeferredDetailsEvent(key, id, previousEventId, type, timestampMs, details, frozen),
    );
    strand.lastEventId = id;
    return id;
  }

  /**
   * A state entered/exited event of `name` whose input or output is `text` (see StateEvent): the most common
   * events, kept as the name and the text (or the JsonText that writes it), which the next state's entry shares.
   */
  emitState(strand: Strand, type: string, name: string, text: TextSource): number {
    const key = this.nextKey(strand);
    if (key === undefined) return strand.lastEventId;
    const id = ++this.nextEventId;
    const previousEventId = Math.max(strand.lastEventId, this.redrivenEventId);
    this.pending.push(new StateEvent(key, id, previousEventId, type, Date.now(), name, text));
    strand.lastEventId = id;
    return id;
  }

  /** The replay key of the strand's next event; undefined (its id now the strand's last) if a replay wrote it. */
  private nextKey(strand: Strand): string | undefined {
    if (this.closed) throw new ExecutionHalted('execution ended');
    const count = strand.eventCount++;
    const key =
      strand.keyPrefix === '' && this.keySuffix === '' && count < TOP_EVENT_KEYS_KEPT
        ? topEventKey(count)
        : `${strand.keyPrefix}|${count}${this.keySuffix}`;
    const replayed = this.replayEventKeys?.get(key);
    if (replayed === undefined) return key;
    strand.lastEventId = replayed;
    return undefined;
  }

  commit(entries: [string, string][] = []): Promise<void> | undefined {
    this.throwIfUnwritable();
    if (this.pending.length === 0 && entries.length === 0) return undefined;
    const events = this.pending;
    this.pending = [];
    for (const [key, value] of entries) this.entries.set(key, value);
    // Commits of concurrent executions share one transaction (see CommitQueue).
    return this.commits.enqueue(new JournalWrite(this.store, this.arn, events, entries));
  }

  commitDetached(entries: [string, string][]): void {
    this.throwIfUnwritable();
    const events = this.pending;
    this.pending = [];
    for (const [key, value] of entries) this.entries.set(key, value);
    const work = new JournalWrite(this.store, this.arn, events, entries);
    this.commits.enqueueDetached(work, this.onDetachedFailure);
  }

  async remember<T>(key: string, compute: () => T): Promise<T> {
    const known = this.entries.get(key);
    if (known !== undefined) return JSON.parse(known) as T;
    const value = compute();
    await this.commit([[key, JSON.stringify(value)]]);
    return value;
  }

  recall(key: string): string | undefined {
    return this.entries.get(key);
  }

  /**
   * Commits a finished step (its events and its journal entry, which the store may keep as the object). Not
   * kept here: a step's key names one visit, which this run never asks for again (a restart reads the store).
   */
  commitStep(key: string, entry: JournalValue, wait = true): Promise<void> | undefined {
    this.throwIfUnwritable();
    const events = this.pending;
    this.pending = [];
    if (this.commits.writesAtOnce) {
      this.store.insertStep(this.arn, events, key, entry);
      return undefined;
    }
    const work = new StepWrite(this.store, this.arn, events, key, entry);
    if (wait) return this.commits.enqueue(work);
    this.commits.enqueueDetached(work, this.onDetachedFailure);
    return undefined;
  }

  private readonly onDetachedFailure = (error: unknown) => {
    this.commitFailure ??= error;
  };

  private throwIfUnwritable(): void {
    if (this.closed) throw new ExecutionHalted('execution ended');
    if (this.commitFailure !== undefined) throw this.commitFailure;
  }

  writeNow(work: () => void): void {
    if (this.commitFailure !== undefined) throw this.commitFailure;
    const events = this.pending;
    this.pending = [];
    // Every queued step (detached ones included) goes first, in the same transaction.
    this.commits.flushWith(() => {
      this.store.insertEvents(this.arn, events);
      work();
    });
    if (this.commitFailure !== undefined) throw this.commitFailure;
  }

  /**
   * Ends the execution with its last event after `previousEventId` (default: the latest event), together
   * with every event still buffered, now (StopExecution, a time-out). False when it had already ended.
   */
  end(ending: ExecutionEnding, previousEventId?: number): boolean {
    if (this.closed) {
      // Its own end may still wait in the queue (see finish): written now, so the caller can read it.
      this.commits.flush();
      return false;
    }
    // The steps before the end are on disk before the end is (and before anyone hears of it).
    this.commits.flush();
    const write = this.endWrite(ending, previousEventId);
    write.write();
    return write.ended;
  }

  /**
   * As end, for the run's own end (its last state done or failed): queued behind its steps, so that the
   * executions ending in one turn share one transaction with their last steps. An end that flushed the queue
   * and then wrote itself took two COMMITs per execution, most of a Pass chain's on file (profiled). Resolves
   * false when the execution had already ended.
   */
  async finish(ending: ExecutionEnding, previousEventId?: number): Promise<boolean> {
    if (this.closed) return false;
    const write = this.endWrite(ending, previousEventId);
    const committed = this.commits.enqueue(write);
    if (committed === undefined) return write.ended;
    try {
      await committed;
      return write.ended;
    } catch (error) {
      // The transaction that held the end (and steps before it) was not written: the end alone, as a failure.
      try {
        return endExecution(this.store, this.arn, failedEnding(error, ending.stopMs), write.history);
      } catch {
        // Not even that (the database is gone): it stays RUNNING, and the next engine replays it to its end.
        return false;
      }
    }
  }

  /** The end's write; from here on nothing more is written for this execution. */
  private endWrite(ending: ExecutionEnding, previousEventId: number | undefined): EndWrite {
    const eventId = ++this.nextEventId;
    const pending = this.pending;
    this.pending = [];
    this.closed = true;
    return new EndWrite(this.store, this.arn, ending, () => this.commitFailure, {
      pending,
      eventId,
      previousEventId: previousEventId ?? eventId - 1,
    });
  }

  /** Engine shutdown: forget what is buffered and write nothing more; the next engine replays the journal. */
  abandon(): void {
    this.closed = true;
    this.pending = [];
  }
}
