/**
 * Transactions for the in-memory store: inside `run`, every change registers how to take itself back; a throw
 * takes back (newest first) what `work` changed and rethrows, as SQLite's ROLLBACK (or a nested SAVEPOINT) does.
 */
export class UndoLog {
  private steps: (() => void)[] | undefined;

  /** Whether a transaction is open (a caller can skip making an undo that would not be kept). */
  get active(): boolean {
    return this.steps !== undefined;
  }

  /** Records `undo` when a transaction is open (outside one a change is final at once, as in SQLite). */
  record(undo: () => void): void {
    this.steps?.push(undo);
  }

  run<T>(work: () => T): T {
    const outer = this.steps;
    const steps = outer ?? [];
    const mark = steps.length;
    this.steps = steps;
    try {
      return work();
    } catch (error) {
      for (let index = steps.length - 1; index >= mark; index--) steps[index]?.();
      steps.length = mark;
      throw error;
    } finally {
      this.steps = outer;
    }
  }
}
