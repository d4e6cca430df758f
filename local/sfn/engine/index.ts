import { createHash, randomUUID } from 'node:crypto';
import { SfnApiError } from '../errors';
import type { EngineOptions, RecordedEvent, StepFunctionsEngine } from '../service-api';
import type { Machine } from './asl';
import { parseMachine } from './asl-parser';
import { CommitQueue } from './commit-queue';
import { validateDefinition } from './jsonpath-bridge';
import { ExecutionRunner } from './runner/execution-runner';
import { endExecution } from './runner/journal';
import { Scheduler } from './scheduler';
import { EngineStore, type ExecutionRow, type StateMachineRow, type TaskTokenRow } from './store';
import { toEpochSeconds } from './timestamps';

const NAME_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,79}$/;
const TOKEN_PATTERN = /^[A-Za-z0-9_\-+/=]{1,2048}$/;
const DEFAULT_ROLE = 'arn:aws:iam::000000000000:role/local-step-functions';

type WireInput = Record<string, unknown>;
type WireOutput = Record<string, unknown>;

function optionalString(input: WireInput, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new SfnApiError('ValidationException', `${field} must be a string`);
  return value;
}

function requiredString(input: WireInput, field: string): string {
  const value = optionalString(input, field);
  if (value === undefined || value === '') {
    throw new SfnApiError(
      'ValidationException',
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

function encodePageToken(value: number): string {
  return Buffer.from(JSON.stringify({ v: value })).toString('base64');
}

function decodePageToken(token: string | undefined): number | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { v?: unknown };
    if (typeof parsed.v === 'number') return parsed.v;
  } catch {
    // fall through to the API error below
  }
  throw new SfnApiError('InvalidToken', 'Invalid nextToken');
}

function pageSize(input: WireInput, fallback: number): number {
  const value = input.maxResults;
  if (value === undefined || value === null || value === 0) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 1000) {
    throw new SfnApiError('ValidationException', 'maxResults must be between 1 and 1000');
  }
  return value;
}

/**
 * The local Step Functions engine: the API actions of `service-api.ts` over a durable SQLite store. Running
 * executions found in the store at start are resumed from their journal.
 *
 * Actions: CreateStateMachine, UpdateStateMachine, DescribeStateMachine, ListStateMachines, DeleteStateMachine,
 * StartExecution, StartSyncExecution (Express), DescribeExecution, DescribeStateMachineForExecution,
 * ListExecutions, GetExecutionHistory, StopExecution, SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat.
 */
export async function createEngine(options: EngineOptions): Promise<StepFunctionsEngine> {
  const engine = new LocalStepFunctions(options);
  engine.resumeRunningExecutions();
  return engine;
}

class LocalStepFunctions implements StepFunctionsEngine {
  private readonly store: EngineStore;
  private readonly scheduler = new Scheduler();
  private readonly commits: CommitQueue;
  private readonly runners = new Map<string, ExecutionRunner>();
  private readonly tokenWaiters = new Map<string, (row: TaskTokenRow) => void>();
  private readonly recorded: RecordedEvent[] = [];
  private readonly region: string;
  private readonly accountId: string;
  private closed = false;

  constructor(private readonly options: EngineOptions) {
    this.store = new EngineStore(options.dataPath);
    this.commits = new CommitQueue((work) => this.store.transaction(work), options.dataPath !== ':memory:');
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
  }

  recordedEvents(): RecordedEvent[] {
    return [...this.recorded];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const runner of this.runners.values()) runner.abandon();
    this.runners.clear();
    this.scheduler.stop();
    // Let abandoned executions unwind before the database goes away.
    await new Promise((resolve) => setImmediate(resolve));
    this.commits.flush();
    this.store.close();
  }

  async dispatch(action: string, input: WireInput): Promise<WireOutput> {
    if (this.closed) throw new SfnApiError('ServiceUnavailable', 'The engine is closed', 503);
    switch (action) {
      case 'CreateStateMachine':
        return this.createStateMachine(input);
      case 'UpdateStateMachine':
        return this.updateStateMachine(input);
      case 'DescribeStateMachine':
        return this.describeStateMachine(input);
      case 'ListStateMachines':
        return this.listStateMachines(input);
      case 'DeleteStateMachine':
        return this.deleteStateMachine(input);
      case 'StartExecution':
        return this.startExecution(input);
      case 'StartSyncExecution':
        return this.startSyncExecution(input);
      case 'DescribeExecution':
        return this.describeExecution(input);
      case 'DescribeStateMachineForExecution':
        return this.describeStateMachineForExecution(input);
      case 'ListExecutions':
        return this.listExecutions(input);
      case 'GetExecutionHistory':
        return this.getExecutionHistory(input);
      case 'StopExecution':
        return this.stopExecution(input);
      case 'SendTaskSuccess':
        return this.sendTaskSuccess(input);
      case 'SendTaskFailure':
        return this.sendTaskFailure(input);
      case 'SendTaskHeartbeat':
        return this.sendTaskHeartbeat(input);
      default:
        throw new SfnApiError('UnknownOperationException', `Unknown operation ${action}`);
    }
  }

  // ------------------------------------------------------------ state machines

  private machineArn(name: string): string {
    return `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${name}`;
  }

  private parseDefinition(text: string): Machine {
    let definition: unknown;
    try {
      definition = JSON.parse(text);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new SfnApiError(
        'InvalidDefinition',
        `Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ${detail}'`,
      );
    }
    if (!definition || typeof definition !== 'object' || Array.isArray(definition)) {
      throw new SfnApiError(
        'InvalidDefinition',
        "Invalid State Machine Definition: 'the definition must be an object'",
      );
    }
    const problems = validateDefinition(definition, { queryLanguageDefault: 'JSONPath' });
    if (problems.length > 0) {
      throw new SfnApiError(
        'InvalidDefinition',
        `Invalid State Machine Definition: '${problems.map((problem) => String(problem)).join(', ')}'`,
      );
    }
    return parseMachine(definition);
  }

  private requireMachine(arn: string): StateMachineRow {
    if (!arn.startsWith('arn:')) throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn}'`);
    const row = this.store.getMachine(arn);
    if (!row) throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return row;
  }

  private createStateMachine(input: WireInput): WireOutput {
    const name = requiredString(input, 'name');
    const definitionText = requiredString(input, 'definition');
    const roleArn = optionalString(input, 'roleArn') ?? DEFAULT_ROLE;
    const type = optionalString(input, 'type') ?? 'STANDARD';
    if (!NAME_PATTERN.test(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
    if (type !== 'STANDARD' && type !== 'EXPRESS') {
      throw new SfnApiError('ValidationException', `Value '${type}' at 'type' failed to satisfy constraint`);
    }
    this.parseDefinition(definitionText);
    const arn = this.machineArn(name);
    const existing = this.store.getMachine(arn);
    if (existing) {
      if (existing.definition === definitionText && existing.roleArn === roleArn && existing.type === type) {
        return { stateMachineArn: arn, creationDate: toEpochSeconds(existing.createdMs) };
      }
      throw new SfnApiError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const createdMs = Date.now();
    this.store.insertMachine({
      arn,
      name,
      definition: definitionText,
      roleArn,
      type,
      createdMs,
      updatedMs: null,
      revisionId: revisionOf(definitionText),
    });
    return { stateMachineArn: arn, creationDate: toEpochSeconds(createdMs) };
  }

  private updateStateMachine(input: WireInput): WireOutput {
    const arn = requiredString(input, 'stateMachineArn');
    const existing = this.requireMachine(arn);
    const definition = optionalString(input, 'definition') ?? existing.definition;
    const roleArn = optionalString(input, 'roleArn') ?? existing.roleArn;
    if (
      input.definition === undefined &&
      input.roleArn === undefined &&
      input.loggingConfiguration === undefined
    ) {
      throw new SfnApiError('MissingRequiredParameter', 'Either the definition or the roleArn must be given');
    }
    this.parseDefinition(definition);
    const updatedMs = Date.now();
    const revisionId = revisionOf(`${definition}${updatedMs}`);
    this.store.updateMachine({ arn, definition, roleArn, updatedMs, revisionId });
    return { updateDate: toEpochSeconds(updatedMs), revisionId };
  }

  private describeMachine(row: StateMachineRow): WireOutput {
    return {
      stateMachineArn: row.arn,
      name: row.name,
      status: 'ACTIVE',
      definition: row.definition,
      roleArn: row.roleArn,
      type: row.type,
      creationDate: toEpochSeconds(row.createdMs),
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
      revisionId: row.revisionId,
    };
  }

  private describeStateMachine(input: WireInput): WireOutput {
    return this.describeMachine(this.requireMachine(requiredString(input, 'stateMachineArn')));
  }

  private listStateMachines(input: WireInput): WireOutput {
    const limit = pageSize(input, 100);
    const offset = decodePageToken(optionalString(input, 'nextToken')) ?? 0;
    const rows = this.store.listMachines();
    const page = rows.slice(offset, offset + limit);
    const output: WireOutput = {
      stateMachines: page.map((row) => ({
        stateMachineArn: row.arn,
        name: row.name,
        type: row.type,
        creationDate: toEpochSeconds(row.createdMs),
      })),
    };
    if (offset + limit < rows.length) output.nextToken = encodePageToken(offset + limit);
    return output;
  }

  private deleteStateMachine(input: WireInput): WireOutput {
    const arn = requiredString(input, 'stateMachineArn');
    if (!arn.startsWith('arn:')) throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn}'`);
    this.store.deleteMachine(arn);
    return {};
  }

  // ------------------------------------------------------------ executions

  /** Express only: runs the execution to its end and answers with its result, as AWS does. */
  private async startSyncExecution(input: WireInput): Promise<WireOutput> {
    const machine = this.requireMachine(requiredString(input, 'stateMachineArn'));
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
    const { executionArn } = this.startExecution(input, true, resolveFinished);
    await finished;
    const described = this.describeExecution({ executionArn });
    const { redriveCount: _count, redriveStatus: _status, ...result } = described;
    return {
      ...result,
      billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: 100 },
    };
  }

  private startExecution(input: WireInput, synchronous = false, onFinished?: () => void): WireOutput {
    const machineArn = requiredString(input, 'stateMachineArn');
    const machine = this.requireMachine(machineArn);
    const name = optionalString(input, 'name') ?? randomUUID();
    if (!NAME_PATTERN.test(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
    const inputText = optionalString(input, 'input') ?? '{}';
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(inputText);
    } catch {
      throw new SfnApiError('InvalidExecutionInput', `Invalid execution input: ${inputText}`);
    }
    const arn =
      machine.type === 'EXPRESS'
        ? `arn:aws:states:${this.region}:${this.accountId}:express:${machine.name}:${name}:${randomUUID()}`
        : `arn:aws:states:${this.region}:${this.accountId}:execution:${machine.name}:${name}`;
    const existing = this.store.getExecution(arn);
    if (existing) {
      // AWS treats a repeated StartExecution with the same name and input as idempotent while it runs.
      if (existing.status === 'RUNNING' && existing.input === inputText && machine.type === 'STANDARD') {
        return { executionArn: arn, startDate: toEpochSeconds(existing.startMs) };
      }
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const startMs = Date.now();
    this.store.insertExecution({
      arn,
      stateMachineArn: machineArn,
      name,
      input: inputText,
      startMs,
      definition: machine.definition,
      type: machine.type,
      roleArn: machine.roleArn,
    });
    this.launch(
      {
        synchronous,
        onFinished,
        arn,
        stateMachineArn: machineArn,
        name,
        input: inputText,
        startMs,
        definition: machine.definition,
        type: machine.type,
        roleArn: machine.roleArn,
      },
      parsedInput,
      false,
    );
    return { executionArn: arn, startDate: toEpochSeconds(startMs) };
  }

  private launch(
    row: Pick<
      ExecutionRow,
      'arn' | 'stateMachineArn' | 'name' | 'input' | 'startMs' | 'definition' | 'roleArn' | 'type'
    > & { synchronous?: boolean; onFinished?: () => void },
    input: unknown,
    resume: boolean,
  ): void {
    const machineName = row.stateMachineArn.split(':').pop() ?? '';
    const runner = new ExecutionRunner(
      {
        store: this.store,
        commits: this.commits,
        scheduler: this.scheduler,
        tokenWaiters: this.tokenWaiters,
        resources: {
          lambdaEndpoint: this.options.lambdaEndpoint,
          dynamodbEndpoint: this.options.dynamodbEndpoint,
          eventBridgeEndpoint: this.options.eventBridgeEndpoint,
          region: this.region,
          accountId: this.accountId,
          recordEvent: (event) => this.recorded.push(event),
        },
        onFinished: (arn) => {
          if (this.runners.get(arn) === runner) this.runners.delete(arn);
          row.onFinished?.();
        },
      },
      {
        arn: row.arn,
        name: row.name,
        stateMachineArn: row.stateMachineArn,
        stateMachineName: machineName,
        roleArn: row.roleArn,
        input,
        startMs: row.startMs,
        machine: parseMachine(JSON.parse(row.definition)),
        synchronous: row.synchronous,
      },
      resume,
    );
    this.runners.set(row.arn, runner);
    // Start on a fresh tick so StartExecution answers before the first state runs.
    setImmediate(() => {
      if (!runner.isHalted) void runner.run();
    });
  }

  resumeRunningExecutions(): void {
    for (const row of this.store.runningExecutions()) {
      this.launch(row, JSON.parse(row.input), true);
    }
  }

  private requireExecution(arn: string): ExecutionRow {
    if (!arn.startsWith('arn:')) throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn}'`);
    const row = this.store.getExecution(arn);
    if (!row) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return row;
  }

  private describeExecution(input: WireInput): WireOutput {
    const row = this.requireExecution(requiredString(input, 'executionArn'));
    const output: WireOutput = {
      executionArn: row.arn,
      stateMachineArn: row.stateMachineArn,
      name: row.name,
      status: row.status,
      startDate: toEpochSeconds(row.startMs),
      input: row.input,
      inputDetails: { included: true },
      redriveCount: 0,
      redriveStatus: row.status === 'RUNNING' || row.status === 'SUCCEEDED' ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
    };
    if (row.stopMs !== null) output.stopDate = toEpochSeconds(row.stopMs);
    if (row.output !== null) {
      output.output = row.output;
      output.outputDetails = { included: true };
    }
    if (row.error !== null) output.error = row.error;
    if (row.cause !== null) output.cause = row.cause;
    return output;
  }

  private describeStateMachineForExecution(input: WireInput): WireOutput {
    const row = this.requireExecution(requiredString(input, 'executionArn'));
    const machine = this.store.getMachine(row.stateMachineArn);
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

  private listExecutions(input: WireInput): WireOutput {
    const machineArn = requiredString(input, 'stateMachineArn');
    this.requireMachine(machineArn);
    const status = optionalString(input, 'statusFilter');
    const limit = pageSize(input, 100);
    const before = decodePageToken(optionalString(input, 'nextToken')) ?? Number.MAX_SAFE_INTEGER;
    const rows = this.store.listExecutions(machineArn, status, before, limit + 1);
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
        return item;
      }),
    };
    const last = page[page.length - 1];
    if (rows.length > limit && last) output.nextToken = encodePageToken(last.sequence);
    return output;
  }

  private getExecutionHistory(input: WireInput): WireOutput {
    const arn = requiredString(input, 'executionArn');
    this.requireExecution(arn);
    const limit = pageSize(input, 100);
    const reverse = input.reverseOrder === true;
    const includeData = input.includeExecutionData !== false;
    const after =
      decodePageToken(optionalString(input, 'nextToken')) ?? (reverse ? Number.MAX_SAFE_INTEGER : 0);
    const rows = this.store.events(arn, reverse, after, limit + 1);
    const page = rows.slice(0, limit);
    const events = page.map((row) => {
      const event: WireOutput = {
        timestamp: toEpochSeconds(row.timestampMs),
        type: row.type,
        id: row.id,
        previousEventId: row.previousEventId,
      };
      if (row.details) {
        const details = JSON.parse(row.details) as Record<string, Record<string, unknown>>;
        for (const [key, value] of Object.entries(details)) {
          if (!includeData) {
            const { input: _input, output: _output, ...rest } = value;
            event[key] = rest;
          } else {
            event[key] = value;
          }
        }
      }
      return event;
    });
    const output: WireOutput = { events };
    const last = page[page.length - 1];
    if (rows.length > limit && last) output.nextToken = encodePageToken(last.id);
    return output;
  }

  private stopExecution(input: WireInput): WireOutput {
    const arn = requiredString(input, 'executionArn');
    const row = this.requireExecution(arn);
    const error = optionalString(input, 'error');
    const cause = optionalString(input, 'cause');
    const nowMs = Date.now();
    if (row.status !== 'RUNNING') {
      return { stopDate: toEpochSeconds(row.stopMs ?? nowMs) };
    }
    const runner = this.runners.get(arn);
    if (runner) {
      runner.stop(error, cause, nowMs);
    } else {
      // No live runner (should not happen): close the record directly.
      const eventId = this.store.maxEventId(arn) + 1;
      endExecution(
        this.store,
        arn,
        { status: 'ABORTED', error, cause, stopMs: nowMs },
        { pending: [], eventId, previousEventId: eventId - 1 },
      );
    }
    return { stopDate: toEpochSeconds(nowMs) };
  }

  // ------------------------------------------------------------ callbacks

  private requirePendingToken(input: WireInput): TaskTokenRow {
    const token = requiredString(input, 'taskToken');
    if (!TOKEN_PATTERN.test(token)) throw new SfnApiError('InvalidToken', `Invalid Token: '${token}'`);
    const row = this.store.getToken(token);
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

  private answer(
    row: TaskTokenRow,
    answer: Pick<TaskTokenRow, 'status' | 'output' | 'error' | 'cause'>,
  ): void {
    if (!this.store.answerToken({ token: row.token, ...answer })) {
      throw new SfnApiError('TaskTimedOut', 'Task Timed Out');
    }
    this.tokenWaiters.get(row.token)?.({ ...row, ...answer });
  }

  private sendTaskSuccess(input: WireInput): WireOutput {
    const output = requiredString(input, 'output');
    const row = this.requirePendingToken(input);
    try {
      JSON.parse(output);
    } catch {
      throw new SfnApiError('InvalidOutput', `Invalid output: ${output}`);
    }
    this.answer(row, { status: 'SUCCEEDED', output, error: null, cause: null });
    return {};
  }

  private sendTaskFailure(input: WireInput): WireOutput {
    const row = this.requirePendingToken(input);
    this.answer(row, {
      status: 'FAILED',
      output: null,
      error: optionalString(input, 'error') ?? null,
      cause: optionalString(input, 'cause') ?? null,
    });
    return {};
  }

  private sendTaskHeartbeat(input: WireInput): WireOutput {
    const row = this.requirePendingToken(input);
    if (row.heartbeatSeconds !== null) {
      this.store.heartbeatToken(row.token, Date.now() + row.heartbeatSeconds * 1000);
    }
    return {};
  }
}

function revisionOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
