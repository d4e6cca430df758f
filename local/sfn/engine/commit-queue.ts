/**
 * Group commit: state transitions of all running executions that finish in the same turn of the event loop
 * are written in one SQLite transaction. Each caller awaits the flush before its execution goes on, so nothing
 * happens on the strength of a transition that is not yet on disk.
 */
export class CommitQueue {
  private queued: (() => void)[] = [];
  private waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;

  /** `batch: false` (an in-memory database, where a commit costs no I/O) writes each commit at once, untransacted. */
  constructor(
    private readonly runInTransaction: (work: () => void) => void,
    private readonly batch = true,
  ) {}

  /** Undefined when written at once (`batch: false`): the caller has nothing to wait for. */
  enqueue(work: () => void): Promise<void> | undefined {
    if (!this.batch) {
      // In memory there is no crash to be atomic against: BEGIN/COMMIT per step cost ~18% of the run, and
      // an already-resolved promise per step still cost a turn of the microtask queue.
      work();
      return undefined;
    }
    this.queued.push(work);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return done;
  }

  /** Writes everything queued now (also used before the database closes). */
  flush(): void {
    this.scheduled = false;
    const work = this.queued;
    const waiters = this.waiters;
    this.queued = [];
    this.waiters = [];
    if (work.length === 0) return;
    try {
      this.runInTransaction(() => {
        for (const item of work) item();
      });
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    }
  }
}
