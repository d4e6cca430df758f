import type { ActivityTaskRow, CatalogStorage } from './catalog-store';

interface Poller {
  workerName: string | null;
  deliver: (task: ActivityTaskRow | undefined) => void;
}

/**
 * Where activity tasks meet their workers: GetActivityTask long polls wait here, and an execution that
 * queues a task wakes the oldest poller of that activity. The queue itself is in the store (durable);
 * this keeps only who is waiting now.
 */
export class ActivityBoard {
  private readonly pollers = new Map<string, Poller[]>();
  /** Executions waiting for their task to be taken, to record ActivityStarted. */
  readonly onTaken = new Map<string, (workerName: string | null) => void>();

  constructor(
    private readonly catalog: CatalogStorage,
    /** Whether the task behind a token still waits for its answer. */
    private readonly isOpen: (token: string) => boolean,
  ) {}

  /** The oldest open task of the activity, taken for `workerName`; closed tasks found on the way are dropped. */
  take(activityArn: string, workerName: string | null): ActivityTaskRow | undefined {
    for (;;) {
      const task = this.catalog.takeActivityTask(activityArn, workerName, Date.now());
      if (!task) return undefined;
      if (this.isOpen(task.token)) {
        this.onTaken.get(task.token)?.(workerName);
        return task;
      }
      this.catalog.dropActivityTask(task.token);
    }
  }

  /** Resolves with a task, or undefined when `timeoutMs` passes (or `signal` aborts) first. */
  poll(activityArn: string, workerName: string | null, timeoutMs: number, signal?: AbortSignal) {
    const now = this.take(activityArn, workerName);
    if (now || timeoutMs <= 0) return Promise.resolve(now);
    return new Promise<ActivityTaskRow | undefined>((resolve) => {
      const leave = () => {
        const waiting = this.pollers.get(activityArn) ?? [];
        const index = waiting.indexOf(poller);
        if (index >= 0) waiting.splice(index, 1);
        clearTimeout(timer);
        resolve(undefined);
      };
      const poller: Poller = {
        workerName,
        deliver: (task) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', leave);
          resolve(task);
        },
      };
      const timer = setTimeout(leave, timeoutMs);
      signal?.addEventListener('abort', leave, { once: true });
      const waiting = this.pollers.get(activityArn) ?? [];
      waiting.push(poller);
      this.pollers.set(activityArn, waiting);
    });
  }

  /** A task was queued for the activity: the oldest waiting poller (if any) gets it. */
  queued(activityArn: string): void {
    const waiting = this.pollers.get(activityArn);
    const poller = waiting?.[0];
    if (!waiting || !poller) return;
    const task = this.take(activityArn, poller.workerName);
    if (!task) return;
    waiting.shift();
    poller.deliver(task);
  }

  /** Ends every open poll (engine shutdown). */
  close(): void {
    for (const waiting of this.pollers.values()) {
      for (const poller of waiting.splice(0)) poller.deliver(undefined);
    }
  }
}
