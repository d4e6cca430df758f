import type { ActivityBoard } from '../activity-board';
import type { Machine } from '../asl';
import type { CommitQueue } from '../commit-queue';
import type { Scheduler } from '../scheduler';
import type { EngineStorage, TaskTokenRow } from '../store';
import type { ResourceSettings } from '../task-resources';

/** What the engine lends each running execution. */
export interface RunnerServices {
  store: EngineStorage;
  commits: CommitQueue;
  scheduler: Scheduler;
  resources: ResourceSettings;
  /** Callbacks waiting for an answer to their task token (SendTaskSuccess / Failure). */
  tokenWaiters: Map<string, (row: TaskTokenRow) => void>;
  /** Activity tasks waiting for a worker (GetActivityTask). */
  activities: ActivityBoard;
  /** The run is over (ended, or let go at engine shutdown). */
  onFinished: (executionArn: string) => void;
  /** The execution ended (SUCCEEDED, FAILED, TIMED_OUT, ABORTED): its record says how. */
  onEnded: (executionArn: string) => void;
}

export interface ExecutionIdentity {
  arn: string;
  name: string;
  stateMachineArn: string;
  stateMachineName: string;
  roleArn: string;
  input: unknown;
  startMs: number;
  /** How often it was redriven; a redriven run continues the same journal and history. */
  redriveCount: number;
  /** When the execution's TimeoutSeconds clock started: the start, or the last redrive (AWS resets it). */
  clockStartMs: number;
  machine: Machine;
  /** StartSyncExecution: AWS leaves `Execution.RedriveCount` out of the context object. */
  synchronous?: boolean;
}
