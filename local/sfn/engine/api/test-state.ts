import { SfnApiError } from '../../errors';
import type { StepFunctionsEngine } from '../../service-api';
import { errorMatches } from '../error-matching';
import type { EngineCore } from './engine-core';
import { inspectionOf } from './test-state-inspection';
import { optionalString, requiredString, type WireInput, type WireOutput } from './wire';

const TESTED = 'TestedState';
type Event = Record<string, unknown> & { type: string };

function parseState(text: string): Record<string, unknown> {
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    throw new SfnApiError(
      'InvalidDefinition',
      `Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION'`,
    );
  }
  if (!state || typeof state !== 'object' || Array.isArray(state)) {
    throw new SfnApiError(
      'InvalidDefinition',
      "Invalid State Machine Definition: 'the state must be an object'",
    );
  }
  const record = state as Record<string, unknown>;
  const resource = typeof record.Resource === 'string' ? record.Resource : '';
  // AWS's TestState refuses these without a mock; this engine has no mocks.
  if (
    record.Type === 'Parallel' ||
    record.Type === 'Map' ||
    /:activity:|\.waitForTaskToken$|\.sync(:2)?$/.test(resource)
  ) {
    throw new SfnApiError(
      'ValidationException',
      'TestState does not support Activity tasks, .sync or .waitForTaskToken integrations, Parallel or Map states',
    );
  }
  return record;
}

/** The states a tested state can go to, each a stub that ends the run as soon as it is entered. */
function targetsOf(state: Record<string, unknown>): string[] {
  const names = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string') names.add(value);
  };
  add(state.Next);
  add(state.Default);
  for (const key of ['Choices', 'Catch']) {
    const list = state[key];
    if (Array.isArray(list)) for (const entry of list) add((entry as Record<string, unknown>)?.Next);
  }
  names.delete(TESTED);
  return [...names];
}

function machineFor(state: Record<string, unknown>): string {
  const { Retry: _retry, ...tested } = state;
  const states: Record<string, unknown> = { [TESTED]: tested };
  for (const target of targetsOf(state)) states[target] = { Type: 'Succeed' };
  return JSON.stringify({ StartAt: TESTED, States: states });
}

function failureOf(events: Event[]): { error?: string; cause?: string } {
  for (let index = events.length - 1; index >= 0; index--) {
    for (const value of Object.values(events[index] ?? {})) {
      if (value && typeof value === 'object' && 'error' in value) {
        const details = value as { error?: string; cause?: string };
        return { error: details.error, cause: details.cause };
      }
    }
  }
  return {};
}

async function runOnce(scratch: StepFunctionsEngine, state: Record<string, unknown>, input: WireInput) {
  const created = await scratch.dispatch('CreateStateMachine', {
    name: 'TestState',
    definition: machineFor(state),
    type: 'EXPRESS',
    roleArn: optionalString(input, 'roleArn'),
  });
  const result = await scratch.dispatch('StartSyncExecution', {
    stateMachineArn: created.stateMachineArn,
    input: optionalString(input, 'input') ?? '{}',
  });
  const history = await scratch.dispatch('GetExecutionHistory', {
    executionArn: result.executionArn,
    maxResults: 1000,
  });
  return { result, events: (history.events ?? []) as Event[] };
}

function outcomeOf(state: Record<string, unknown>, result: WireOutput, events: Event[]): WireOutput {
  const exited = events.find((event) => event.type.endsWith('StateExited'));
  const entered = events.filter((event) => event.type.endsWith('StateEntered'));
  const next = entered[1]?.stateEnteredEventDetails as { name?: string; input?: string } | undefined;
  const failure = failureOf(events);
  const retriable =
    failure.error !== undefined &&
    Array.isArray(state.Retry) &&
    state.Retry.some((retrier) =>
      errorMatches((retrier as Record<string, unknown>)?.ErrorEquals, failure.error ?? ''),
    );
  if (retriable) return { status: 'RETRIABLE', ...failure };
  if (result.status !== 'SUCCEEDED') return { status: 'FAILED', error: result.error, cause: result.cause };
  const output = (exited?.stateExitedEventDetails as { output?: string } | undefined)?.output ?? next?.input;
  // A failure on the way that still ended well was caught (the state exits to its Catch target).
  const status = failure.error !== undefined ? 'CAUGHT_ERROR' : 'SUCCEEDED';
  return {
    status,
    ...failure,
    output: output ?? result.output,
    ...(next?.name ? { nextState: next.name } : {}),
  };
}

/**
 * TestState: runs one state on its own, in a scratch engine that forgets it, and answers with its output,
 * status and the state it would go to. Retry is not run: a retried error answers RETRIABLE, as on AWS.
 */
export async function testState(core: EngineCore, input: WireInput): Promise<WireOutput> {
  const state = parseState(requiredString(input, 'definition'));
  const level = optionalString(input, 'inspectionLevel') ?? 'INFO';
  if (!['INFO', 'DEBUG', 'TRACE'].includes(level)) {
    throw new SfnApiError(
      'ValidationException',
      `Value '${level}' at 'inspectionLevel' failed to satisfy constraint`,
    );
  }
  const stateInput = optionalString(input, 'input') ?? '{}';
  try {
    JSON.parse(stateInput);
  } catch {
    throw new SfnApiError('InvalidExecutionInput', `Invalid input: ${stateInput}`);
  }
  const scratch = await core.scratchEngine();
  try {
    const { result, events } = await runOnce(scratch, state, input);
    const outcome = outcomeOf(state, result, events);
    const output: WireOutput = Object.fromEntries(
      Object.entries(outcome).filter(([, value]) => value !== undefined),
    );
    if (level !== 'INFO') output.inspectionData = inspectionOf(state, stateInput, events, outcome);
    return output;
  } finally {
    await scratch.close();
  }
}
