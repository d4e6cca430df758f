/** Contract between the engine (`local/sfn/engine/`) and its HTTP front (`local/sfn/http-server.ts`). */

export interface EngineOptions {
  /** SQLite file path, or `:memory:` for an engine that forgets everything when it stops. */
  dataPath: string;
  /** Base URL of a Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`). */
  lambdaEndpoint?: string;
  /** Base URL of a DynamoDB API for the optimized DynamoDB integrations. */
  dynamodbEndpoint?: string;
  /**
   * Base URL of an EventBridge API: `events:putEvents` Tasks and the executions' status change events go there
   * (the latter to its default bus). When absent, both are only recorded (`recordedEvents`,
   * `statusChangeEvents`).
   */
  eventBridgeEndpoint?: string;
  /** Open executions allowed at once (AWS's Standard quota: 1,000,000); beyond it ExecutionLimitExceeded. */
  maxOpenExecutions?: number;
  region?: string;
  accountId?: string;
  /** How long GetActivityTask waits for a task before answering with none (AWS: 60 s). */
  activityPollMs?: number;
}

/** An entry recorded by the `arn:aws:states:::events:putEvents` integration. */
export interface RecordedEvent {
  executionArn: string;
  time: string;
  entry: Record<string, unknown>;
}

/** A "Step Functions Execution Status Change" event as AWS puts it on the default bus (dates in epoch ms). */
export interface StatusChangeEvent {
  time: string;
  source: 'aws.states';
  detailType: 'Step Functions Execution Status Change';
  resources: string[];
  detail: {
    executionArn: string;
    stateMachineArn: string;
    name: string;
    status: string;
    startDate: number;
    stopDate: number | null;
    input: string | null;
    output: string | null;
    inputDetails: { included: boolean };
    outputDetails: { included: boolean } | null;
    error: string | null;
    cause: string | null;
    redriveCount: number;
    redriveDate: number | null;
    redriveStatus: string;
    redriveStatusReason: string | null;
  };
}

export interface StepFunctionsEngine {
  /**
   * Runs one API action (`CreateStateMachine`, `StartExecution`, ...) with the request body as it came over the
   * wire (AWS JSON 1.0) and returns the response body in wire form (timestamps as epoch seconds).
   * Throws `SfnApiError` with AWS's error code on failure.
   */
  dispatch(action: string, input: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Events sent through `events:putEvents`, oldest first. */
  recordedEvents(): RecordedEvent[];
  /** Status change events of Standard executions (RUNNING, SUCCEEDED, ...), oldest first, the last 10,000. */
  statusChangeEvents(): StatusChangeEvent[];
  /** Stops timers and closes the store; running executions resume on the next start. */
  close(): Promise<void>;
}
