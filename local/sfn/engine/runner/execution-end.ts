import type { QueuedWrite } from '../commit-queue';
import type { EngineStorage, PendingEvent } from '../store';

/** The statuses an execution ends with, and the history event each one writes. */
export type EndStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

const END_EVENTS: Record<EndStatus, { type: string; detailsKey: string }> = {
  SUCCEEDED: { type: 'ExecutionSucceeded', detailsKey: 'executionSucceededEventDetails' },
  FAILED: { type: 'ExecutionFailed', detailsKey: 'executionFailedEventDetails' },
  TIMED_OUT: { type: 'ExecutionTimedOut', detailsKey: 'executionTimedOutEventDetails' },
  ABORTED: { type: 'ExecutionAborted', detailsKey: 'executionAbortedEventDetails' },
};

export interface ExecutionEnding {
  status: EndStatus;
  /** The execution's output (SUCCEEDED only), as JSON text. */
  output?: string;
  error?: string;
  cause?: string;
  stopMs: number;
}

/**
 * Ends an execution: its last history event, its record and its open task tokens in one transaction. The
 * only way an execution ends. False (and nothing written) when it was no longer running.
 */
export function endExecution(
  store: EngineStorage,
  arn: string,
  ending: ExecutionEnding,
  history: { pending: PendingEvent[]; eventId: number; previousEventId: number },
): boolean {
  const { type, detailsKey } = END_EVENTS[ending.status];
  const details: Record<string, unknown> = {};
  if (ending.status === 'SUCCEEDED') {
    details.output = ending.output ?? 'null';
    details.outputDetails = { truncated: false };
  } else {
    if (ending.error !== undefined) details.error = ending.error;
    if (ending.cause !== undefined) details.cause = ending.cause;
  }
  const event: PendingEvent = {
    key: 'execution|end',
    id: history.eventId,
    previousEventId: history.previousEventId,
    type,
    timestampMs: ending.stopMs,
    details: JSON.stringify({ [detailsKey]: details }),
  };
  return store.transaction(() => {
    const changed = store.finishExecution({
      arn,
      status: ending.status,
      output: ending.status === 'SUCCEEDED' ? (ending.output ?? 'null') : null,
      error: ending.error ?? null,
      cause: ending.cause ?? null,
      stopMs: ending.stopMs,
    });
    if (!changed) return false;
    store.insertEvents(arn, [...history.pending, event]);
    store.closeTokensOf(arn);
    return true;
  });
}

/** A success whose steps could not all be written is not one. */
export function failedEnding(failure: unknown, stopMs: number): ExecutionEnding {
  const cause = failure instanceof Error ? failure.message : String(failure);
  return { status: 'FAILED', error: 'States.Runtime', cause, stopMs };
}

/**
 * An execution's end as a queued write: when it runs, every step before it is written, so a failed detached
 * step (`failure()`) turns a success into a failure.
 */
export class EndWrite implements QueuedWrite {
  ended = false;

  constructor(
    private readonly store: EngineStorage,
    private readonly arn: string,
    private readonly ending: ExecutionEnding,
    private readonly failure: () => unknown,
    readonly history: { pending: PendingEvent[]; eventId: number; previousEventId: number },
  ) {}

  write(): void {
    const failure = this.failure();
    const written =
      failure === undefined || this.ending.status !== 'SUCCEEDED'
        ? this.ending
        : failedEnding(failure, this.ending.stopMs);
    this.ended = endExecution(this.store, this.arn, written, this.history);
  }
}
