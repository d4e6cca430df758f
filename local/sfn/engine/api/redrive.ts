import { SfnApiError } from '../../errors';
import { redriveInStore } from '../runner/redrive-journal';
import type { ExecutionRow } from '../store';
import { toEpochSeconds } from '../timestamps';
import type { EngineCore } from './engine-core';
import { type RedriveState, redriveStateOf } from './redrive-status';
import { optionalString, requiredString, type WireInput, type WireOutput } from './wire';

/** AWS repeats the answer for a client token used in the last 15 minutes (and the last 10 tokens). */
const CLIENT_TOKEN_LIFETIME_MS = 15 * 60_000;
const CLIENT_TOKEN_PATTERN = /^[!-~]{1,64}$/;

export function redriveStateNow(core: EngineCore, row: ExecutionRow): RedriveState {
  return redriveStateOf(row, {
    nowMs: Date.now(),
    historyEventCount: () => core.store.maxEventId(row.arn),
    machineExists: () => core.store.getMachine(row.stateMachineArn) !== undefined,
  });
}

/**
 * RedriveExecution: a FAILED, TIMED_OUT or ABORTED Standard execution runs again under the same ARN from the
 * steps that did not succeed (inside a Map or Parallel, only its failed or aborted iterations and branches);
 * successful steps are replayed from the journal, not run.
 */
export function redriveExecution(core: EngineCore, input: WireInput): WireOutput {
  const arn = requiredString(input, 'executionArn');
  const clientToken = optionalString(input, 'clientToken');
  if (clientToken !== undefined && !CLIENT_TOKEN_PATTERN.test(clientToken)) {
    throw new SfnApiError(
      'ValidationException',
      "1 validation error detected: Value at 'clientToken' failed to satisfy constraint: Member must have length between 1 and 64",
    );
  }
  const row = core.requireExecution(arn);
  const nowMs = Date.now();
  if (clientToken !== undefined) {
    const earlier = core.store.redriveTokenDate(arn, clientToken);
    if (earlier !== undefined && nowMs - earlier <= CLIENT_TOKEN_LIFETIME_MS) {
      return { redriveDate: toEpochSeconds(earlier) };
    }
  }
  const state = redriveStateNow(core, row);
  if (state.status !== 'REDRIVABLE') {
    throw new SfnApiError('ExecutionNotRedrivable', `Execution '${arn}' cannot be redriven: ${state.reason}`);
  }
  core.requireRoomForExecution();
  // Whatever the ended run still had queued lands before the journal is pruned.
  core.flushCommits();
  if (!redriveInStore(core.store, arn, nowMs, clientToken)) {
    throw new SfnApiError(
      'ExecutionNotRedrivable',
      `Execution '${arn}' cannot be redriven: it is not stopped`,
    );
  }
  const redriven = core.requireExecution(arn);
  core.launch(redriven, JSON.parse(redriven.input), true);
  core.statusChanged(arn);
  return { redriveDate: toEpochSeconds(nowMs) };
}
