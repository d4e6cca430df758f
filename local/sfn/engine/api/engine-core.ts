import type { StepFunctionsEngine } from '../../service-api';
import type { ActivityBoard } from '../activity-board';
import type { ExecutionRunner } from '../runner/execution-runner';
import type { EngineStorage, ExecutionRow, StateMachineRow, TaskTokenRow } from '../store';

/** An execution to run: its stored record, and how a StartSyncExecution caller waits for it. */
export type LaunchRow = Pick<
  ExecutionRow,
  'arn' | 'stateMachineArn' | 'name' | 'input' | 'startMs' | 'definition' | 'roleArn' | 'type'
> &
  Partial<Pick<ExecutionRow, 'redriveCount' | 'redriveMs'>> & {
    synchronous?: boolean;
    onFinished?: () => void;
  };

/** What the API actions share: the store, the live executions and the account they run in. */
export interface EngineCore {
  readonly store: EngineStorage;
  readonly region: string;
  readonly accountId: string;
  readonly runners: Map<string, ExecutionRunner>;
  readonly tokenWaiters: Map<string, (row: TaskTokenRow) => void>;
  readonly activities: ActivityBoard;
  /** How long GetActivityTask waits for a task. */
  readonly activityPollMs: number;
  /** Starts (or, `resume`, replays and continues) an execution on a fresh tick. */
  launch(row: LaunchRow, input: unknown, resume: boolean): void;
  requireMachine(arn: string): StateMachineRow;
  requireExecution(arn: string): ExecutionRow;
  /** ExecutionLimitExceeded when `maxOpenExecutions` executions are running. */
  requireRoomForExecution(): void;
  /** Writes every commit still queued (see CommitQueue). */
  flushCommits(): void;
  /** A throwaway in-memory engine with the same integrations (TestState runs its state there). */
  scratchEngine(): Promise<StepFunctionsEngine>;
  /** Puts the execution's current status on the bus (Standard executions only). */
  statusChanged(arn: string): void;
}
