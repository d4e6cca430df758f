import type { Machine } from '../asl';
import type { CommitQueue } from '../commit-queue';
import type { Scheduler } from '../scheduler';
import type { EngineStore, TaskTokenRow } from '../store';
import type { ResourceSettings } from '../task-resources';

/** What the engine lends each running execution. */
export interface RunnerServices {
  store: EngineStore;
  commits: CommitQueue;
  scheduler: Scheduler;
  resources: ResourceSettings;
  /** Callbacks waiting for an answer to their task token (SendTaskSuccess / Failure). */
  tokenWaiters: Map<string, (row: TaskTokenRow) => void>;
  onFinished: (executionArn: string) => void;
}

export interface ExecutionIdentity {
  arn: string;
  name: string;
  stateMachineArn: string;
  stateMachineName: string;
  roleArn: string;
  input: unknown;
  startMs: number;
  machine: Machine;
  /** StartSyncExecution: AWS leaves `Execution.RedriveCount` out of the context object. */
  synchronous?: boolean;
}
