/** Contract between the engine (`local/sfn/engine/`) and its HTTP front (`local/sfn/http-server.ts`). */

export interface EngineOptions {
  /** SQLite file path, or `:memory:` for an engine that forgets everything when it stops. */
  dataPath: string;
  /** Base URL of a Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`). */
  lambdaEndpoint?: string;
  /** Base URL of a DynamoDB API for the optimized DynamoDB integrations. */
  dynamodbEndpoint?: string;
  /** Base URL of an EventBridge API; when absent, `events:putEvents` is only recorded. */
  eventBridgeEndpoint?: string;
  region?: string;
  accountId?: string;
}

/** An entry recorded by the `arn:aws:states:::events:putEvents` integration. */
export interface RecordedEvent {
  executionArn: string;
  time: string;
  entry: Record<string, unknown>;
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
  /** Stops timers and closes the store; running executions resume on the next start. */
  close(): Promise<void>;
}
