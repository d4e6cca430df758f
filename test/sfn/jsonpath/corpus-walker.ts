/**
 * Test-only interpreter for JSONPath Pass / Choice / Succeed / Fail chains, just enough to run corpus
 * cases whose outcome depends only on the jsonpath library. The real runtime lives in `local/sfn/engine/`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { StatesError } from '../../../local/sfn/errors';
import {
  applyResultPath,
  evaluateChoiceRule,
  evaluateIntrinsic,
  evaluatePath,
  fieldPathNotFoundCause,
  invalidPathCause,
  isJsonObject,
  looksLikeIntrinsic,
  PathNotFoundError,
  resolvePayloadTemplate,
} from '../../../local/sfn/jsonpath';

export const CORPUS_DIRECTORY = '/work/shared/conformance/sfn-aws-recorded';
const CORPUS_FILE = `${CORPUS_DIRECTORY}/cases.jsonl`;

export interface CorpusCase {
  name: string;
  area: string;
  definition: Record<string, unknown>;
  input: unknown;
  expected: { status: string; output?: unknown; error?: string; cause?: string };
  placeholders: string[] | null;
  nondeterminism: string[] | null;
}

export interface WalkResult {
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  cause?: string;
}

export function corpusAvailable(): boolean {
  return existsSync(CORPUS_FILE);
}

export function loadCorpus(): CorpusCase[] {
  return readFileSync(CORPUS_FILE, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as CorpusCase);
}

const WALKABLE_TYPES = new Set(['Pass', 'Choice', 'Succeed', 'Fail']);

/** True when every state is a JSONPath Pass / Choice / Succeed / Fail state. */
export function isWalkable(definition: Record<string, unknown>): boolean {
  const states = definition.States;
  if (!isJsonObject(states)) return false;
  const topLanguage = definition.QueryLanguage ?? 'JSONPath';
  return Object.values(states).every(
    (state) =>
      isJsonObject(state) &&
      typeof state.Type === 'string' &&
      WALKABLE_TYPES.has(state.Type) &&
      (state.QueryLanguage ?? topLanguage) === 'JSONPath',
  );
}

class StateFailure extends Error {
  constructor(
    readonly error: string | undefined,
    readonly causeText: string | undefined,
  ) {
    super(error ?? 'failed');
    this.name = 'StateFailure';
  }
}

const MACHINE_NAME = 'WalkerMachine';
const EXECUTION_NAME = '6a3f9a3e-0d55-4b8e-9d1e-3f1e2a4b5c6d';

export function walkDefinition(definition: Record<string, unknown>, executionInput: unknown): WalkResult {
  const states = definition.States as Record<string, Record<string, unknown>>;
  const variables: Record<string, unknown> = {};
  const startTime = new Date().toISOString();
  let stateName = String(definition.StartAt);
  let input = executionInput;
  let eventId = 2;
  for (let step = 0; step < 1000; step++) {
    const state = states[stateName];
    if (!state) throw new Error(`missing state ${stateName}`);
    const context = {
      Execution: {
        Id: `arn:aws:states:us-east-1:111111111111:execution:${MACHINE_NAME}:${EXECUTION_NAME}`,
        Input: executionInput,
        Name: EXECUTION_NAME,
        RoleArn: 'arn:aws:iam::111111111111:role/walker',
        StartTime: startTime,
        RedriveCount: 0,
      },
      State: { EnteredTime: new Date().toISOString(), Name: stateName },
      StateMachine: {
        Id: `arn:aws:states:us-east-1:111111111111:stateMachine:${MACHINE_NAME}`,
        Name: MACHINE_NAME,
      },
    };
    const prefix = `An error occurred while executing the state '${stateName}' (entered at the event id #${eventId}). `;
    try {
      const { output, next } = runState(state, input, { context, variables });
      if (next === undefined) return { status: 'SUCCEEDED', output };
      input = output;
      stateName = next;
      eventId += 2;
    } catch (error) {
      if (error instanceof StateFailure)
        return { status: 'FAILED', error: error.error, cause: error.causeText };
      if (error instanceof StatesError) {
        return { status: 'FAILED', error: error.error, cause: prefix + error.causeText };
      }
      throw error;
    }
  }
  throw new Error('too many steps');
}

interface Scope {
  context: unknown;
  variables: Record<string, unknown>;
}

function readPath(path: string, data: unknown, scope: Scope): unknown {
  try {
    return evaluatePath(path, data, scope);
  } catch (error) {
    if (error instanceof PathNotFoundError)
      throw new StatesError('States.Runtime', invalidPathCause(path, error));
    throw error;
  }
}

function applyInputOutputPath(path: unknown, data: unknown, scope: Scope): unknown {
  if (path === null) return {};
  if (path === undefined) return data;
  return readPath(String(path), data, scope);
}

function runState(
  state: Record<string, unknown>,
  rawInput: unknown,
  scope: Scope,
): { output: unknown; next: string | undefined } {
  const next = state.End === true ? undefined : (state.Next as string | undefined);
  switch (state.Type) {
    case 'Succeed': {
      const effective = applyInputOutputPath(state.InputPath, rawInput, scope);
      return { output: applyInputOutputPath(state.OutputPath, effective, scope), next: undefined };
    }
    case 'Fail': {
      const error = failField(state, 'Error', rawInput, scope);
      const cause = failField(state, 'Cause', rawInput, scope);
      throw new StateFailure(error, cause);
    }
    case 'Choice': {
      const effective = applyInputOutputPath(state.InputPath, rawInput, scope);
      const choices = (state.Choices ?? []) as Record<string, unknown>[];
      const matched = choices.find((rule) => evaluateChoiceRule(rule, { input: effective, ...scope }));
      const target = (matched?.Next ?? state.Default) as string | undefined;
      if (!target) throw new StateFailure('States.NoChoiceMatched', 'No Matches!');
      const assignTemplate = matched ? matched.Assign : state.Assign;
      const assigned = assignTemplate === undefined ? {} : resolveAssign(assignTemplate, effective, scope);
      const output = applyInputOutputPath(state.OutputPath, effective, scope);
      Object.assign(scope.variables, assigned);
      return { output, next: target };
    }
    case 'Pass': {
      const effective = applyInputOutputPath(state.InputPath, rawInput, scope);
      const parameterised =
        state.Parameters === undefined
          ? effective
          : resolvePayloadTemplate(state.Parameters, { input: effective, ...scope });
      const result = state.Result !== undefined ? state.Result : parameterised;
      const assigned = state.Assign === undefined ? {} : resolveAssign(state.Assign, result, scope);
      const combined = applyResultPath(rawInput, result, state.ResultPath as string | null | undefined);
      const output = applyInputOutputPath(state.OutputPath, combined, scope);
      // Assign reads the variables as they were when the state started; they change after its output.
      Object.assign(scope.variables, assigned);
      return { output, next };
    }
    default:
      throw new Error(`not walkable: ${String(state.Type)}`);
  }
}

function resolveAssign(template: unknown, data: unknown, scope: Scope): Record<string, unknown> {
  const values = resolvePayloadTemplate(template, { input: data, ...scope });
  return isJsonObject(values) ? values : {};
}

function failField(state: Record<string, unknown>, field: 'Error' | 'Cause', input: unknown, scope: Scope) {
  const literal = state[field];
  if (typeof literal === 'string') return literal;
  const path = state[`${field}Path`];
  if (typeof path !== 'string') return undefined;
  if (looksLikeIntrinsic(path)) return String(evaluateIntrinsic(path, { input, ...scope }));
  try {
    const value = evaluatePath(path, input, scope);
    return typeof value === 'string' ? value : JSON.stringify(value);
  } catch (error) {
    if (error instanceof PathNotFoundError) {
      throw new StatesError('States.Runtime', fieldPathNotFoundCause(path, `${field}Path`, input));
    }
    throw error;
  }
}
