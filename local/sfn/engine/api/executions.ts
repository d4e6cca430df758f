import { randomUUID } from 'node:crypto';
import { SfnApiError } from '../../errors';
import { endExecution } from '../runner/execution-end';
import type { ExecutionRow } from '../store';
import { toEpochSeconds } from '../timestamps';
import type { EngineCore } from './engine-core';
import { redriveStateNow } from './redrive';
import { listScope, resolveStartTarget } from './start-target';
import {
  decodePageToken,
  encodePageToken,
  NAME_PATTERN,
  optionalString,
  pageSize,
  requiredString,
  type WireInput,
  type WireOutput,
} from './wire';

function parseInput(inputText: string): unknown {
  try {
    return JSON.parse(inputText);
  } catch {
    throw new SfnApiError('InvalidExecutionInput', `Invalid execution input: ${inputText}`);
  }
}

export function startExecution(
  core: EngineCore,
  input: WireInput,
  synchronous = false,
  onFinished?: () => void,
): WireOutput {
  const target = resolveStartTarget(core, requiredString(input, 'stateMachineArn'));
  const { machine } = target;
  const name = optionalString(input, 'name') ?? randomUUID();
  if (!NAME_PATTERN.test(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
  const inputText = optionalString(input, 'input') ?? '{}';
  const parsedInput = parseInput(inputText);
  const prefix = `arn:aws:states:${core.region}:${core.accountId}`;
  const arn =
    machine.type === 'EXPRESS'
      ? `${prefix}:express:${machine.name}:${name}:${randomUUID()}`
      : `${prefix}:execution:${machine.name}:${name}`;
  const existing = core.store.getExecution(arn);
  if (existing) {
    // AWS treats a repeated StartExecution with the same name and input as idempotent while it runs.
    if (existing.status === 'RUNNING' && existing.input === inputText && machine.type === 'STANDARD') {
      return { executionArn: arn, startDate: toEpochSeconds(existing.startMs) };
    }
    throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
  }
  const row = {
    arn,
    stateMachineArn: machine.arn,
    name,
    input: inputText,
    startMs: Date.now(),
    definition: machine.definition,
    type: machine.type,
    roleArn: machine.roleArn,
  };
  if (machine.type === 'STANDARD') core.requireRoomForExecution();
  core.store.insertExecution({ ...row, versionArn: target.versionArn, aliasArn: target.aliasArn });
  core.launch({ ...row, synchronous, onFinished }, parsedInput, false);
  core.statusChanged(arn);
  return { executionArn: arn, startDate: toEpochSeconds(row.startMs) };
}

/** Express only: runs the execution to its end and answers with its result, as AWS does. */
export async function startSyncExecution(core: EngineCore, input: WireInput): Promise<WireOutput> {
  const { machine } = resolveStartTarget(core, requiredString(input, 'stateMachineArn'));
  if (machine.type !== 'EXPRESS') {
    throw new SfnApiError(
      'StateMachineTypeNotSupported',
      'This operation is not supported by this type of state machine',
    );
  }
  let resolveFinished: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    resolveFinished = resolve;
  });
  const { executionArn } = startExecution(core, input, true, resolveFinished);
  await finished;
  const described = describeExecution(core, { executionArn });
  // AWS's StartSyncExecution answer has no redrive fields.
  const {
    redriveCount: _count,
    redriveDate: _date,
    redriveStatus: _status,
    redriveStatusReason: _reason,
    ...result
  } = described;
  return {
    ...result,
    billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: 100 },
  };
}

function describeRow(core: EngineCore, row: ExecutionRow): WireOutput {
  const redrive = redriveStateNow(core, row);
  const output: WireOutput = {
    executionArn: row.arn,
    stateMachineArn: row.stateMachineArn,
    name: row.name,
    status: row.status,
    startDate: toEpochSeconds(row.startMs),
    input: row.input,
    inputDetails: { included: true },
  };
  if (row.stopMs !== null) output.stopDate = toEpochSeconds(row.stopMs);
  if (row.output !== null) {
    output.output = row.output;
    output.outputDetails = { included: true };
  }
  if (row.error !== null) output.error = row.error;
  if (row.cause !== null) output.cause = row.cause;
  output.redriveCount = row.redriveCount;
  if (row.redriveMs !== null) output.redriveDate = toEpochSeconds(row.redriveMs);
  if (row.versionArn !== null) output.stateMachineVersionArn = row.versionArn;
  if (row.aliasArn !== null) output.stateMachineAliasArn = row.aliasArn;
  output.redriveStatus = redrive.status;
  if (redrive.reason !== undefined) output.redriveStatusReason = redrive.reason;
  return output;
}

export function describeExecution(core: EngineCore, input: WireInput): WireOutput {
  return describeRow(core, core.requireExecution(requiredString(input, 'executionArn')));
}

export function describeStateMachineForExecution(core: EngineCore, input: WireInput): WireOutput {
  const row = core.requireExecution(requiredString(input, 'executionArn'));
  const machine = core.store.getMachine(row.stateMachineArn);
  return {
    stateMachineArn: row.stateMachineArn,
    name: row.stateMachineArn.split(':').pop() ?? '',
    definition: row.definition,
    roleArn: row.roleArn,
    updateDate: toEpochSeconds(machine?.updatedMs ?? machine?.createdMs ?? row.startMs),
    loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: { enabled: false },
  };
}

export function listExecutions(core: EngineCore, input: WireInput): WireOutput {
  const scope = listScope(core, requiredString(input, 'stateMachineArn'));
  const status = optionalString(input, 'statusFilter');
  const redrive = optionalString(input, 'redriveFilter');
  if (redrive !== undefined && redrive !== 'REDRIVEN' && redrive !== 'NOT_REDRIVEN') {
    throw new SfnApiError(
      'ValidationException',
      `1 validation error detected: Value '${redrive}' at 'redriveFilter' failed to satisfy constraint: Member must satisfy enum value set: [REDRIVEN, NOT_REDRIVEN]`,
    );
  }
  const limit = pageSize(input, 100);
  const before = decodePageToken(optionalString(input, 'nextToken')) ?? Number.MAX_SAFE_INTEGER;
  const rows = core.store.listExecutions(scope, { status, redrive }, before, limit + 1);
  const page = rows.slice(0, limit);
  const output: WireOutput = {
    executions: page.map((row) => {
      const item: WireOutput = {
        executionArn: row.arn,
        stateMachineArn: row.stateMachineArn,
        name: row.name,
        status: row.status,
        startDate: toEpochSeconds(row.startMs),
      };
      if (row.stopMs !== null) item.stopDate = toEpochSeconds(row.stopMs);
      item.redriveCount = row.redriveCount;
      if (row.redriveMs !== null) item.redriveDate = toEpochSeconds(row.redriveMs);
      if (row.versionArn !== null) item.stateMachineVersionArn = row.versionArn;
      if (row.aliasArn !== null) item.stateMachineAliasArn = row.aliasArn;
      return item;
    }),
  };
  const last = page[page.length - 1];
  if (rows.length > limit && last) output.nextToken = encodePageToken(last.sequence);
  return output;
}

export function stopExecution(core: EngineCore, input: WireInput): WireOutput {
  const arn = requiredString(input, 'executionArn');
  const row = core.requireExecution(arn);
  const error = optionalString(input, 'error');
  const cause = optionalString(input, 'cause');
  const nowMs = Date.now();
  if (row.status !== 'RUNNING') return { stopDate: toEpochSeconds(row.stopMs ?? nowMs) };
  const runner = core.runners.get(arn);
  if (runner) {
    // False when it ended just before (its end written by now): the answer is that end's date.
    if (!runner.stop(error, cause, nowMs)) {
      return { stopDate: toEpochSeconds(core.store.getExecution(arn)?.stopMs ?? nowMs) };
    }
  } else {
    // No live runner (should not happen): close the record directly.
    const eventId = core.store.maxEventId(arn) + 1;
    const ended = endExecution(
      core.store,
      arn,
      { status: 'ABORTED', error, cause, stopMs: nowMs },
      { pending: [], eventId, previousEventId: eventId - 1 },
    );
    if (ended) core.statusChanged(arn);
  }
  return { stopDate: toEpochSeconds(nowMs) };
}
