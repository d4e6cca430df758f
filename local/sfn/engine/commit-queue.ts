/**
 * Group commit: state transitions of all running executions that finish in the same turn of the event loop
 * are written in one SQLite transaction. A caller that is about to do something others can see (invoke a
 * resource, answer, end) awaits the flush first, so nothing happens on the strength of a transition that is
 * not yet on disk. A pure transition (Pass, Choice) need not wait: it is queued detached, and the next awaited
 * commit, `flush()` or turn writes it, in queue order, in the same transaction as what follows it.
 */
/** One queued write; an object rather than a closure, since the TypeScript loader names every closure it makes. */
export interface QueuedWrite {
  write(): void;
}

export class CommitQueue {
  private queued: QueuedWrite[] = [];
  private waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private detachedFailures: ((error: unknown) => void)[] = [];
  private scheduled = false;

  /** `batch: false` (an in-memory database, where a commit costs no I/O) writes each commit at once, untransacted. */
  constructor(
    private readonly runInTransaction: (work: () => void) => void,
    private readonly batch = true,
  ) {}

  /**
   * True when every commit is written at once, untransacted (`batch: false`): in memory there is no crash to
   * be atomic against (BEGIN/COMMIT per step cost ~18% of the run), so a caller may write directly.
   */
  get writesAtOnce(): boolean {
    return !this.batch;
  }

  /** Undefined when written at once (`batch: false`): the caller has nothing to wait for. */
  enqueue(work: QueuedWrite): Promise<void> | undefined {
    if (!this.batch) {
      // An already-resolved promise per step would still cost a turn of the microtask queue.
      work.write();
      return undefined;
    }
    this.queued.push(work);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.schedule();
    return done;
  }

  /** Queues `work` with nobody waiting for it (no promise); `onFailure` hears if its transaction failed. */
  enqueueDetached(work: QueuedWrite, onFailure: (error: unknown) => void): void {
    if (!this.batch) {
      work.write();
      return;
    }
    this.queued.push(work);
    this.detachedFailures.push(onFailure);
    this.schedule();
  }

  private schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes everything queued now (also used before the database closes). */
  flush(): void {
    this.write(undefined);
  }

  /**
   * Writes everything queued and then `last` in the same transaction (one COMMIT where a task token took two,
   * on the callback's path); throws if that transaction failed.
   */
  flushWith(last: () => void): void {
    this.write(last);
  }

  private write(last: (() => void) | undefined): void {
    this.scheduled = false;
    const work = this.queued;
    const waiters = this.waiters;
    const detachedFailures = this.detachedFailures;
    this.queued = [];
    this.waiters = [];
    this.detachedFailures = [];
    if (work.length === 0 && last === undefined) return;
    try {
      this.runInTransaction(() => {
        for (const item of work) item.write();
        last?.();
      });
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
      for (const onFailure of detachedFailures) onFailure(error);
      if (last !== undefined) throw error;
    }
  }
}
