import { SfnApiError } from '../errors';
import type { EngineOptions, RecordedEvent, StatusChangeEvent, StepFunctionsEngine } from '../service-api';
import { ActivityBoard } from './activity-board';
import {
  ACTIVITY_POLL_MS,
  createActivity,
  deleteActivity,
  describeActivity,
  getActivityTask,
  listActivities,
} from './api/activities';
import {
  createStateMachineAlias,
  deleteStateMachineAlias,
  describeStateMachineAlias,
  listStateMachineAliases,
  updateStateMachineAlias,
} from './api/aliases';
import { sendTaskFailure, sendTaskHeartbeat, sendTaskSuccess } from './api/callbacks';
import type { EngineCore, LaunchRow } from './api/engine-core';
import {
  describeExecution,
  describeStateMachineForExecution,
  listExecutions,
  startExecution,
  startSyncExecution,
  stopExecution,
} from './api/executions';
import { getExecutionHistory } from './api/history';
import { describeMapRun, listMapRuns, updateMapRun } from './api/map-runs';
import { redriveExecution, redriveStateNow } from './api/redrive';
import {
  createStateMachine,
  deleteStateMachine,
  describeStateMachine,
  listStateMachines,
  updateStateMachine,
} from './api/state-machines';
import { listTagsForResource, tagResource, untagResource } from './api/tags';
import { testState } from './api/test-state';
import { validateStateMachineDefinition } from './api/validate';
import {
  deleteStateMachineVersion,
  listStateMachineVersions,
  publishStateMachineVersion,
} from './api/versions';
import { requireArn, type WireInput, type WireOutput } from './api/wire';
import type { Machine } from './asl';
import { parseMachine } from './asl-parser';
import { CommitQueue } from './commit-queue';
import { ExecutionRunner } from './runner/execution-runner';
import { Scheduler } from './scheduler';
import { StatusEventPublisher } from './status-events';
import {
  type EngineStorage,
  type ExecutionRow,
  openEngineStore,
  type StateMachineRow,
  type TaskTokenRow,
} from './store';

type Action = (core: EngineCore, input: WireInput) => WireOutput | Promise<WireOutput>;

/** The actions this engine answers; any other is `UnknownOperationException`. */
const ACTIONS: Record<string, Action> = {
  CreateStateMachine: createStateMachine,
  UpdateStateMachine: updateStateMachine,
  DescribeStateMachine: describeStateMachine,
  ListStateMachines: listStateMachines,
  DeleteStateMachine: deleteStateMachine,
  StartExecution: (core, input) => startExecution(core, input),
  StartSyncExecution: startSyncExecution,
  DescribeExecution: describeExecution,
  DescribeStateMachineForExecution: describeStateMachineForExecution,
  ListExecutions: listExecutions,
  GetExecutionHistory: getExecutionHistory,
  StopExecution: stopExecution,
  RedriveExecution: redriveExecution,
  SendTaskSuccess: sendTaskSuccess,
  SendTaskFailure: sendTaskFailure,
  SendTaskHeartbeat: sendTaskHeartbeat,
  PublishStateMachineVersion: publishStateMachineVersion,
  ListStateMachineVersions: listStateMachineVersions,
  DeleteStateMachineVersion: deleteStateMachineVersion,
  CreateStateMachineAlias: createStateMachineAlias,
  DescribeStateMachineAlias: describeStateMachineAlias,
  UpdateStateMachineAlias: updateStateMachineAlias,
  DeleteStateMachineAlias: deleteStateMachineAlias,
  ListStateMachineAliases: listStateMachineAliases,
  CreateActivity: createActivity,
  DescribeActivity: describeActivity,
  ListActivities: listActivities,
  DeleteActivity: deleteActivity,
  GetActivityTask: getActivityTask,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
  ValidateStateMachineDefinition: validateStateMachineDefinition,
  TestState: testState,
  DescribeMapRun: describeMapRun,
  ListMapRuns: listMapRuns,
  UpdateMapRun: updateMapRun,
};

/**
 * The local Step Functions engine: the API actions of `service-api.ts` over a durable SQLite store (`api/`
 * has one module per group of actions). Running executions found in the store at start are resumed from
 * their journal.
 */
export async function createEngine(options: EngineOptions): Promise<StepFunctionsEngine> {
  const engine = new LocalStepFunctions(options);
  engine.resumeRunningExecutions();
  return engine;
}

class LocalStepFunctions implements StepFunctionsEngine, EngineCore {
  readonly store: EngineStorage;
  readonly region: string;
  readonly accountId: string;
  readonly runners = new Map<string, ExecutionRunner>();
  readonly tokenWaiters = new Map<string, (row: TaskTokenRow) => void>();
  readonly activities: ActivityBoard;
  readonly activityPollMs: number;
  private readonly scheduler = new Scheduler();
  private readonly commits: CommitQueue;
  private readonly recorded: RecordedEvent[] = [];
  private readonly statusEvents: StatusEventPublisher;
  private readonly maxOpenExecutions: number;
  /** Parsed definitions by their text: executions of one machine share one. */
  private readonly machines = new Map<string, Machine>();
  private closed = false;

  constructor(private readonly options: EngineOptions) {
    this.store = openEngineStore(options.dataPath);
    this.commits = new CommitQueue((work) => this.store.transaction(work), options.dataPath !== ':memory:');
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.maxOpenExecutions = options.maxOpenExecutions ?? 1_000_000;
    this.activities = new ActivityBoard(
      this.store.catalog,
      (token) => this.store.getToken(token)?.status === 'PENDING',
    );
    this.activityPollMs = options.activityPollMs ?? ACTIVITY_POLL_MS;
    this.statusEvents = new StatusEventPublisher({
      endpoint: options.eventBridgeEndpoint,
      region: this.region,
    });
  }

  recordedEvents(): RecordedEvent[] {
    return [...this.recorded];
  }

  statusChangeEvents(): StatusChangeEvent[] {
    return this.statusEvents.events();
  }

  requireRoomForExecution(): void {
    if (this.runners.size >= this.maxOpenExecutions) {
      throw new SfnApiError(
        'ExecutionLimitExceeded',
        'The maximum number of running executions has been reached.',
      );
    }
  }

  flushCommits(): void {
    this.commits.flush();
  }

  statusChanged(arn: string): void {
    // An end committed by close()'s last flush is heard of after the database is gone.
    if (this.closed) return;
    const row = this.store.getExecution(arn);
    if (row) this.statusEvents.publish(row, redriveStateNow(this, row));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const runner of this.runners.values()) runner.abandon();
    this.runners.clear();
    this.scheduler.stop();
    this.activities.close();
    this.statusEvents.close();
    // Let abandoned executions unwind before the database goes away.
    await new Promise((resolve) => setImmediate(resolve));
    this.commits.flush();
    this.store.close();
  }

  async dispatch(action: string, input: WireInput): Promise<WireOutput> {
    if (this.closed) throw new SfnApiError('ServiceUnavailable', 'The engine is closed', 503);
    const run = ACTIONS[action];
    if (!run) throw new SfnApiError('UnknownOperationException', `Unknown operation ${action}`);
    return run(this, input);
  }

  scratchEngine(): Promise<StepFunctionsEngine> {
    return createEngine({ ...this.options, dataPath: ':memory:' });
  }

  requireMachine(arn: string): StateMachineRow {
    requireArn(arn);
    const row = this.store.getMachine(arn);
    if (!row) throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return row;
  }

  requireExecution(arn: string): ExecutionRow {
    requireArn(arn);
    const row = this.store.getExecution(arn);
    if (!row) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return row;
  }

  private machineOf(definition: string): Machine {
    let machine = this.machines.get(definition);
    if (!machine) {
      if (this.machines.size > 1000) this.machines.clear();
      machine = parseMachine(JSON.parse(definition));
      this.machines.set(definition, machine);
    }
    return machine;
  }

  launch(row: LaunchRow, input: unknown, resume: boolean): void {
    const runner = new ExecutionRunner(
      {
        store: this.store,
        commits: this.commits,
        scheduler: this.scheduler,
        tokenWaiters: this.tokenWaiters,
        activities: this.activities,
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
        onEnded: (arn) => this.statusChanged(arn),
      },
      {
        arn: row.arn,
        name: row.name,
        stateMachineArn: row.stateMachineArn,
        stateMachineName: row.stateMachineArn.split(':').pop() ?? '',
        roleArn: row.roleArn,
        input,
        startMs: row.startMs,
        redriveCount: row.redriveCount ?? 0,
        clockStartMs: row.redriveMs ?? row.startMs,
        machine: this.machineOf(row.definition),
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
}
