import { randomBytes } from 'node:crypto';
import type { TaskState } from '../asl';
import { Cancellation } from '../cancellation';
import { StateFailure } from '../runner/failures';
import { positiveIntegerRule, readField } from '../runner/field-reader';
import { asRecord, type StateRun } from '../runner/state-run';
import type { TaskTokenRow } from '../store';
import {
  classifyResource,
  historyResourceNames,
  type ResourceKind,
  type ResourceOutcome,
} from '../task-resources';
import { withRetryAndCatch } from './retry-catch';
import type { StateEnvironment, StateHandler } from './state-handler';
import {
  emitActivityOutcome,
  emitActivityScheduled,
  isActivityAttempt,
  performActivityTask,
} from './task-activity';
import { performCallbackTask } from './task-callback';

const TIMEOUT_RULE = positiveIntegerRule('TimeoutSeconds');
const HEARTBEAT_RULE = positiveIntegerRule('HeartbeatSeconds');
/** AWS's default timeout of a Task that does not wait for a callback. */
const DEFAULT_TIMEOUT_SECONDS = 60;

/** One attempt of a Task, as its events and its resource see it. */
export interface TaskAttempt {
  /** Journal key of this attempt: `<stepKey>:a<attempt>`. */
  attemptKey: string;
  resource: string;
  kind: ResourceKind;
  parameters: unknown;
  /** `.waitForTaskToken`: the token (the same one after a restart) and its stored row, if any. */
  token: string | undefined;
  tokenRow: TaskTokenRow | undefined;
  timeoutSeconds: number | undefined;
  heartbeatSeconds: number | undefined;
  /** A Lambda function ARN as the resource (`LambdaFunction*` events instead of `Task*`). */
  legacy: boolean;
  names: { resourceType: string; resource: string };
}

async function prepareAttempt(run: StateRun<TaskState>, env: StateEnvironment, attempt: number) {
  const { state } = run;
  const kind = classifyResource(state.resource);
  const waitForToken =
    ((kind.kind === 'lambda-invoke' || kind.kind === 'events-put') && kind.waitForTaskToken) ||
    kind.kind === 'activity';
  const attemptKey = `${run.stepKey}:a${attempt}`;
  const tokenRow = waitForToken ? env.services.store.tokenForStep(env.identity.arn, attemptKey) : undefined;
  const token = tokenRow?.token ?? (waitForToken ? randomBytes(48).toString('base64url') : undefined);
  const contextObject: Record<string, unknown> = {
    ...run.contextObject,
    State: { ...asRecord(run.contextObject.State), RetryCount: attempt },
  };
  if (token && kind.kind !== 'activity') contextObject.Task = { Token: token };
  const timeoutSeconds =
    (await readField(run, state.timeoutSeconds, TIMEOUT_RULE)) ??
    (waitForToken ? undefined : DEFAULT_TIMEOUT_SECONDS);
  const heartbeatSeconds = await readField(run, state.heartbeatSeconds, HEARTBEAT_RULE);
  const parameters = await run.language.taskArguments(run, contextObject);
  const task: TaskAttempt = {
    attemptKey,
    resource: state.resource,
    kind,
    parameters,
    token,
    tokenRow,
    timeoutSeconds,
    heartbeatSeconds,
    legacy: kind.kind === 'lambda-legacy',
    names: historyResourceNames(state.resource),
  };
  return task;
}

function emitStart(run: StateRun<TaskState>, env: StateEnvironment, task: TaskAttempt): void {
  const { state, strand } = run;
  const journal = env.journal;
  if (task.kind.kind === 'activity') {
    emitActivityScheduled(run, env, task);
    return;
  }
  if (task.legacy) {
    journal.emit(strand, 'LambdaFunctionScheduled', 'lambdaFunctionScheduledEventDetails', {
      resource: task.resource,
      input: JSON.stringify(task.parameters),
      inputDetails: { truncated: false },
      ...(task.timeoutSeconds !== undefined && state.timeoutSeconds && state.timeoutSeconds.kind !== 'path'
        ? { timeoutInSeconds: task.timeoutSeconds }
        : {}),
    });
    journal.emit(strand, 'LambdaFunctionStarted');
    return;
  }
  const scheduled: Record<string, unknown> = {
    ...task.names,
    region: env.services.resources.region,
    parameters: JSON.stringify(task.parameters),
  };
  if (state.timeoutSeconds !== undefined) scheduled.timeoutInSeconds = task.timeoutSeconds;
  if (task.heartbeatSeconds !== undefined) scheduled.heartbeatInSeconds = task.heartbeatSeconds;
  journal.emit(strand, 'TaskScheduled', 'taskScheduledEventDetails', scheduled);
  journal.emit(strand, 'TaskStarted', 'taskStartedEventDetails', { ...task.names });
}

function emitOutcome(
  run: StateRun<TaskState>,
  env: StateEnvironment,
  task: TaskAttempt,
  outcome: ResourceOutcome,
) {
  const { strand } = run;
  const journal = env.journal;
  if (task.kind.kind === 'activity') {
    emitActivityOutcome(run, env, outcome);
    return;
  }
  if ('result' in outcome) {
    const output = { output: JSON.stringify(outcome.result), outputDetails: { truncated: false } };
    if (task.legacy) {
      journal.emit(strand, 'LambdaFunctionSucceeded', 'lambdaFunctionSucceededEventDetails', output);
    } else {
      journal.emit(strand, 'TaskSucceeded', 'taskSucceededEventDetails', { ...task.names, ...output });
    }
    return;
  }
  const timedOut = outcome.error === 'States.Timeout' || outcome.error === 'States.HeartbeatTimeout';
  const details: Record<string, unknown> = { error: outcome.error };
  if (outcome.cause !== undefined && outcome.cause !== '') details.cause = outcome.cause;
  if (task.legacy) {
    const [type, key] = timedOut
      ? ['LambdaFunctionTimedOut', 'lambdaFunctionTimedOutEventDetails']
      : ['LambdaFunctionFailed', 'lambdaFunctionFailedEventDetails'];
    journal.emit(strand, type, key, details);
  } else {
    const [type, key] = timedOut
      ? ['TaskTimedOut', 'taskTimedOutEventDetails']
      : ['TaskFailed', 'taskFailedEventDetails'];
    journal.emit(strand, type, key, { ...task.names, ...details });
  }
}

/** A task without callback: the resource's answer, or States.Timeout when its clock runs out first. */
async function invokeWithTimeout(
  env: StateEnvironment,
  task: TaskAttempt,
  cancellation: Cancellation,
  abort: AbortController,
  timers: { cancel(): void }[],
): Promise<ResourceOutcome> {
  const dueMs = await env.journal.remember(`${task.attemptKey}:deadline`, () =>
    task.timeoutSeconds === undefined ? null : Date.now() + task.timeoutSeconds * 1000,
  );
  const timeout = new Promise<ResourceOutcome>((resolve) => {
    if (dueMs === null) return;
    timers.push(
      env.services.scheduler.at(dueMs, () => {
        abort.abort();
        resolve({ error: 'States.Timeout', cause: '' });
      }),
    );
  });
  const invoked = env.invoke(task, abort.signal).catch((error: unknown): ResourceOutcome => {
    if (abort.signal.aborted) return { error: 'States.Timeout', cause: '' };
    return { error: 'States.TaskFailed', cause: error instanceof Error ? error.message : String(error) };
  });
  return cancellation.race(Promise.race([invoked, timeout]));
}

/** One attempt of the resource, with its timeout and, for `.waitForTaskToken`, the callback. */
async function performTask(run: StateRun<TaskState>, env: StateEnvironment, task: TaskAttempt) {
  const cancellation = new Cancellation(run.strand.cancellation);
  const abort = new AbortController();
  cancellation.onCancel(() => abort.abort());
  const timers: { cancel(): void }[] = [];
  try {
    let outcome: ResourceOutcome;
    /** The outcome is the token's answer (or timeout), already committed in its row. */
    let answeredInRow = false;
    if (isActivityAttempt(task)) {
      outcome = await performActivityTask(run, env, task, cancellation, timers);
    } else if (task.token) {
      outcome = await performCallbackTask(
        run,
        env,
        { ...task, token: task.token },
        cancellation,
        abort,
        timers,
      );
      // The attempt is over (e.g. the invoke itself failed): a late answer must meet TaskTimedOut. False when
      // the token was answered or timed out, which its row keeps.
      answeredInRow = !env.services.store.answerToken({
        token: task.token,
        status: 'CLOSED',
        output: null,
        error: null,
        cause: null,
      });
    } else {
      outcome = await invokeWithTimeout(env, task, cancellation, abort, timers);
    }
    const entries: [string, string][] = [[`${task.attemptKey}:outcome`, JSON.stringify(outcome)]];
    // A replay finds an answer in the token row: no wait for this commit (a turn of the event loop and a
    // transaction on SendTaskSuccess's path); it is written before anything that follows is seen.
    if (answeredInRow) env.journal.commitDetached(entries);
    else await env.journal.commit(entries);
    return outcome;
  } finally {
    for (const timer of timers) timer.cancel();
    cancellation.dispose();
    if (task.token) env.services.tokenWaiters.delete(task.token);
  }
}

async function runTaskAttempt(run: StateRun<TaskState>, env: StateEnvironment, attempt: number) {
  const task = await prepareAttempt(run, env, attempt);
  emitStart(run, env, task);
  const knownOutcome = env.journal.recall(`${task.attemptKey}:outcome`);
  const outcome: ResourceOutcome =
    knownOutcome !== undefined
      ? (JSON.parse(knownOutcome) as ResourceOutcome)
      : await performTask(run, env, task);
  emitOutcome(run, env, task, outcome);
  if ('result' in outcome) return outcome.result;
  throw new StateFailure(outcome.error, outcome.cause);
}

/** Task: calls its resource (Lambda, DynamoDB, EventBridge), optionally waiting for a task token. */
export const taskHandler: StateHandler<TaskState> = {
  run: withRetryAndCatch(runTaskAttempt),
  onUncaughtFailure(run, env) {
    // AWS records TaskStateAborted after the TaskFailed of a Task whose uncaught error ends a Parallel branch.
    if (run.strand.inParallelBranch) env.journal.emit(run.strand, 'TaskStateAborted');
  },
};
