import { SfnApiError } from '../../errors';
import type { TaskTokenRow } from '../store';
import type { EngineCore } from './engine-core';
import { optionalString, requiredString, TOKEN_PATTERN, type WireInput, type WireOutput } from './wire';

function requirePendingToken(core: EngineCore, input: WireInput): TaskTokenRow {
  const token = requiredString(input, 'taskToken');
  if (!TOKEN_PATTERN.test(token)) throw new SfnApiError('InvalidToken', `Invalid Token: '${token}'`);
  const row = core.store.getToken(token);
  if (!row) throw new SfnApiError('TaskDoesNotExist', 'Task Does Not Exist');
  // AWS answers TaskTimedOut both for an expired token and for one whose task is already closed.
  if (row.status !== 'PENDING') throw new SfnApiError('TaskTimedOut', 'Task Timed Out');
  // A timeout that is due but whose timer has not fired yet still counts as timed out.
  const now = Date.now();
  if (
    (row.deadlineMs !== null && row.deadlineMs <= now) ||
    (row.heartbeatDeadlineMs !== null && row.heartbeatDeadlineMs <= now)
  ) {
    throw new SfnApiError('TaskTimedOut', 'Task Timed Out');
  }
  return row;
}

function answer(
  core: EngineCore,
  row: TaskTokenRow,
  outcome: Pick<TaskTokenRow, 'status' | 'output' | 'error' | 'cause'>,
): void {
  if (!core.store.answerToken({ token: row.token, ...outcome })) {
    throw new SfnApiError('TaskTimedOut', 'Task Timed Out');
  }
  core.tokenWaiters.get(row.token)?.({ ...row, ...outcome });
}

export function sendTaskSuccess(core: EngineCore, input: WireInput): WireOutput {
  const output = requiredString(input, 'output');
  const row = requirePendingToken(core, input);
  try {
    JSON.parse(output);
  } catch {
    throw new SfnApiError('InvalidOutput', `Invalid output: ${output}`);
  }
  answer(core, row, { status: 'SUCCEEDED', output, error: null, cause: null });
  return {};
}

export function sendTaskFailure(core: EngineCore, input: WireInput): WireOutput {
  const row = requirePendingToken(core, input);
  answer(core, row, {
    status: 'FAILED',
    output: null,
    error: optionalString(input, 'error') ?? null,
    cause: optionalString(input, 'cause') ?? null,
  });
  return {};
}

export function sendTaskHeartbeat(core: EngineCore, input: WireInput): WireOutput {
  const row = requirePendingToken(core, input);
  if (row.heartbeatSeconds !== null) {
    core.store.heartbeatToken(row.token, Date.now() + row.heartbeatSeconds * 1000);
  }
  return {};
}
