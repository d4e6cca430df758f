import type { TaskState } from '../asl';
import type { Cancellation } from '../cancellation';
import type { StateRun } from '../runner/state-run';
import type { ResourceOutcome } from '../task-resources';
import type { StateEnvironment } from './state-handler';
import type { TaskAttempt } from './task';
import { ensureTokenRow, watchToken } from './task-callback';

type ActivityAttempt = TaskAttempt & { token: string; kind: { kind: 'activity'; activityArn: string } };

export function isActivityAttempt(task: TaskAttempt): task is ActivityAttempt {
  return task.kind.kind === 'activity' && task.token !== undefined;
}

export function emitActivityScheduled(
  run: StateRun<TaskState>,
  env: StateEnvironment,
  task: TaskAttempt,
): void {
  const details: Record<string, unknown> = {
    resource: task.resource,
    input: JSON.stringify(task.parameters),
    inputDetails: { truncated: false },
  };
  if (task.timeoutSeconds !== undefined) details.timeoutInSeconds = task.timeoutSeconds;
  if (task.heartbeatSeconds !== undefined) details.heartbeatInSeconds = task.heartbeatSeconds;
  env.journal.emit(run.strand, 'ActivityScheduled', 'activityScheduledEventDetails', details);
}

export function emitActivityOutcome(
  run: StateRun<TaskState>,
  env: StateEnvironment,
  outcome: ResourceOutcome,
) {
  const { strand } = run;
  if ('result' in outcome) {
    env.journal.emit(strand, 'ActivitySucceeded', 'activitySucceededEventDetails', {
      output: JSON.stringify(outcome.result),
      outputDetails: { truncated: false },
    });
    return;
  }
  const details: Record<string, unknown> = { error: outcome.error };
  if (outcome.cause !== '') details.cause = outcome.cause;
  const timedOut = outcome.error === 'States.Timeout' || outcome.error === 'States.HeartbeatTimeout';
  if (timedOut) env.journal.emit(strand, 'ActivityTimedOut', 'activityTimedOutEventDetails', details);
  else env.journal.emit(strand, 'ActivityFailed', 'activityFailedEventDetails', details);
}

function emitStarted(run: StateRun<TaskState>, env: StateEnvironment, workerName: string | null): void {
  env.journal.emit(
    run.strand,
    'ActivityStarted',
    'activityStartedEventDetails',
    workerName === null ? {} : { workerName },
  );
}

/**
 * An activity Task: the task (its token and input) is queued durably for the activity's workers; when a
 * worker takes it (GetActivityTask) ActivityStarted is recorded, and its SendTask* answer ends the attempt.
 */
export async function performActivityTask(
  run: StateRun<TaskState>,
  env: StateEnvironment,
  task: ActivityAttempt,
  cancellation: Cancellation,
  timers: { cancel(): void }[],
): Promise<ResourceOutcome> {
  const { store, activities } = env.services;
  const activityArn = task.kind.activityArn;
  if (!store.catalog.getActivity(activityArn)) {
    return { error: 'States.Runtime', cause: `Activity Does Not Exist: '${activityArn}'` };
  }
  const row = ensureTokenRow(env, task);
  const { answer } = watchToken(env, row, timers);
  const queued = store.catalog.activityTask(task.token);
  if (queued?.takenMs != null) {
    // Replay: the worker took it before the restart.
    emitStarted(run, env, queued.workerName);
  } else if (row.status === 'PENDING') {
    activities.onTaken.set(task.token, (workerName) => {
      activities.onTaken.delete(task.token);
      emitStarted(run, env, workerName);
      void env.journal.commit();
    });
    env.journal.writeNow(() =>
      store.catalog.queueActivityTask({
        token: task.token,
        activityArn,
        input: JSON.stringify(task.parameters),
      }),
    );
    activities.queued(activityArn);
  }
  try {
    return await cancellation.race(answer);
  } finally {
    activities.onTaken.delete(task.token);
    store.catalog.dropActivityTask(task.token);
    // The attempt is over: a late answer from the worker meets TaskTimedOut.
    store.answerToken({ token: task.token, status: 'CLOSED', output: null, error: null, cause: null });
  }
}
