import type { TaskState } from '../asl';
import type { Cancellation } from '../cancellation';
import type { StateRun } from '../runner/state-run';
import type { TaskTokenRow } from '../store';
import type { ResourceOutcome } from '../task-resources';
import type { StateEnvironment } from './state-handler';
import type { TaskAttempt } from './task';

type CallbackAttempt = TaskAttempt & { token: string };

/** The token's row; a new one is committed, with the history so far, before anyone can see the token. */
export function ensureTokenRow(env: StateEnvironment, task: CallbackAttempt): TaskTokenRow {
  if (task.tokenRow) return task.tokenRow;
  const now = Date.now();
  const row = {
    token: task.token,
    executionArn: env.identity.arn,
    stepKey: task.attemptKey,
    deadlineMs: task.timeoutSeconds === undefined ? null : now + task.timeoutSeconds * 1000,
    heartbeatSeconds: task.heartbeatSeconds ?? null,
    heartbeatDeadlineMs: task.heartbeatSeconds === undefined ? null : now + task.heartbeatSeconds * 1000,
  };
  env.journal.writeNow(() => env.services.store.insertToken(row));
  return { ...row, status: 'PENDING', output: null, error: null, cause: null };
}

function outcomeOf(row: TaskTokenRow): ResourceOutcome | undefined {
  if (row.status === 'SUCCEEDED') return { result: JSON.parse(row.output ?? 'null') };
  if (row.status === 'FAILED') return { error: row.error ?? '', cause: row.cause ?? '' };
  if (row.status === 'TIMED_OUT') return { error: row.error ?? 'States.Timeout', cause: row.cause ?? '' };
  return undefined;
}

/**
 * The answer to the token (SendTaskSuccess / Failure, or its timeout or heartbeat timeout), and `expired`,
 * which resolves only when the task's own clock runs out.
 */
export function watchToken(env: StateEnvironment, row: TaskTokenRow, timers: { cancel(): void }[]) {
  const { store, scheduler, tokenWaiters } = env.services;
  const token = row.token;
  let signalExpiry: (outcome: ResourceOutcome) => void = () => {};
  const expired = new Promise<ResourceOutcome>((resolve) => {
    signalExpiry = resolve;
  });
  const answer = new Promise<ResourceOutcome>((resolve) => {
    const settle = (settled: TaskTokenRow) => {
      const outcome = outcomeOf(settled);
      if (outcome) resolve(outcome);
    };
    if (row.status !== 'PENDING') {
      settle(row);
      return;
    }
    tokenWaiters.set(token, settle);
    const expire = (error: string) => {
      if (store.answerToken({ token, status: 'TIMED_OUT', output: null, error, cause: null })) {
        tokenWaiters.delete(token);
        resolve({ error, cause: '' });
        signalExpiry({ error, cause: '' });
      }
    };
    if (row.deadlineMs !== null) timers.push(scheduler.at(row.deadlineMs, () => expire('States.Timeout')));
    const armHeartbeat = (dueMs: number) => {
      timers.push(
        scheduler.at(dueMs, () => {
          const current = store.getToken(token);
          if (current?.status !== 'PENDING') return;
          if (current.heartbeatDeadlineMs !== null && current.heartbeatDeadlineMs > Date.now()) {
            armHeartbeat(current.heartbeatDeadlineMs);
          } else {
            expire('States.HeartbeatTimeout');
          }
        }),
      );
    };
    if (row.heartbeatDeadlineMs !== null) armHeartbeat(row.heartbeatDeadlineMs);
  });
  return { answer, expired };
}

/**
 * Invokes the resource that receives the token and records TaskSubmitted. The invoked function may answer
 * its own token before the invoke returns (SendTaskSuccess from inside the function); AWS still records
 * TaskSubmitted first, so the answer waits (it only settles `answer`) until the submission is committed.
 * Only a timeout ends this phase early. Returns the failure of the invoke itself, if any.
 */
async function submit(
  run: StateRun<TaskState>,
  env: StateEnvironment,
  task: CallbackAttempt,
  expired: Promise<ResourceOutcome>,
  cancellation: Cancellation,
  abort: AbortController,
): Promise<ResourceOutcome | undefined> {
  const submittedKey = `${task.attemptKey}:submitted`;
  const invoked = await cancellation.race(Promise.race([env.invoke(task, abort.signal), expired]));
  if ('error' in invoked) return invoked;
  const status = env.services.store.getToken(task.token)?.status;
  const stillOpen = status === 'PENDING' || status === 'SUCCEEDED' || status === 'FAILED';
  if (env.journal.recall(submittedKey) === undefined && stillOpen) {
    env.journal.emit(run.strand, 'TaskSubmitted', 'taskSubmittedEventDetails', {
      ...task.names,
      output: JSON.stringify(invoked.result),
      outputDetails: { truncated: false },
    });
    // Not awaited: the answer may be applied at once (it is in the token row), and whatever follows that is
    // seen (the next resource call, the end) writes this first (see CommitQueue).
    env.journal.commitDetached([[submittedKey, 'true']]);
  }
  return undefined;
}

/** `.waitForTaskToken`: invoke the resource with the token, then wait for the answer to it. */
export async function performCallbackTask(
  run: StateRun<TaskState>,
  env: StateEnvironment,
  task: CallbackAttempt,
  cancellation: Cancellation,
  abort: AbortController,
  timers: { cancel(): void }[],
): Promise<ResourceOutcome> {
  const row = ensureTokenRow(env, task);
  const { answer, expired } = watchToken(env, row, timers);
  if (env.journal.recall(`${task.attemptKey}:submitted`) !== undefined) {
    // Replay: the event is already in the history; emitting it again keeps the event order in step.
    env.journal.emit(run.strand, 'TaskSubmitted');
  } else if (row.status === 'PENDING') {
    const invokeFailure = await submit(run, env, task, expired, cancellation, abort);
    if (invokeFailure) return invokeFailure;
  }
  return cancellation.race(answer);
}
