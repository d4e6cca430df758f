/** Thrown inside an execution that was stopped, timed out, or whose sibling branch failed. */
export class ExecutionHalted extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ExecutionHalted';
  }
}

/**
 * A tree of cancellation signals: stopping an execution cancels every branch, a failed Map iteration cancels
 * its siblings only. Waits race against `whenCancelled`.
 */
export class Cancellation {
  private reason: string | undefined;
  private readonly listeners = new Set<(reason: string) => void>();
  readonly whenCancelled: Promise<never>;
  private rejectWhenCancelled: (error: ExecutionHalted) => void = () => {};
  private detachFromParent: () => void = () => {};

  constructor(parent?: Cancellation) {
    this.whenCancelled = new Promise<never>((_resolve, reject) => {
      this.rejectWhenCancelled = reject;
    });
    // Nobody may be racing against it yet; avoid an unhandled rejection.
    this.whenCancelled.catch(() => {});
    if (parent) {
      if (parent.cancelled) this.cancel(parent.reason ?? 'cancelled');
      else this.detachFromParent = parent.onCancel((reason) => this.cancel(reason));
    }
  }

  get cancelled(): boolean {
    return this.reason !== undefined;
  }

  cancel(reason: string): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.rejectWhenCancelled(new ExecutionHalted(reason));
    for (const listener of this.listeners) listener(reason);
    this.listeners.clear();
  }

  onCancel(listener: (reason: string) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Stops listening to the parent once this branch is over (a Map may have thousands of them). */
  dispose(): void {
    this.detachFromParent();
  }

  throwIfCancelled(): void {
    if (this.reason !== undefined) throw new ExecutionHalted(this.reason);
  }

  /** Resolves with `promise`, or rejects with `ExecutionHalted` as soon as this is cancelled. */
  race<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.whenCancelled]);
  }
}
