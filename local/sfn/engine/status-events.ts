import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { StatusChangeEvent } from '../service-api';
import type { RedriveState } from './api/redrive-status';
import type { ExecutionRow } from './store';

/** AWS leaves input and output out of the event when the escaped text would pass 248 KB. */
const PAYLOAD_LIMIT_BYTES = 248 * 1024;
const KEPT_EVENTS = 10_000;
const RETRY_DELAYS_MS = [50, 250, 1000];

function escapedSize(text: string | null): number {
  return text === null ? 0 : Buffer.byteLength(JSON.stringify(text));
}

/** The `detail` of a "Step Functions Execution Status Change" event: DescribeExecution's fields, dates in ms. */
export function statusChangeDetail(row: ExecutionRow, redrive: RedriveState): StatusChangeEvent['detail'] {
  const outputFits = escapedSize(row.output) <= PAYLOAD_LIMIT_BYTES;
  const inputFits =
    escapedSize(row.input) + (outputFits ? escapedSize(row.output) : 0) <= PAYLOAD_LIMIT_BYTES;
  return {
    executionArn: row.arn,
    stateMachineArn: row.stateMachineArn,
    name: row.name,
    status: row.status,
    startDate: row.startMs,
    stopDate: row.stopMs,
    input: inputFits ? row.input : null,
    output: outputFits ? row.output : null,
    inputDetails: { included: inputFits },
    outputDetails: row.output === null ? null : { included: outputFits },
    error: row.error,
    cause: row.cause,
    redriveCount: row.redriveCount,
    redriveDate: row.redriveMs,
    redriveStatus: redrive.status,
    redriveStatusReason: redrive.reason ?? null,
  };
}

/**
 * Puts each status change on the default bus of the EventBridge endpoint, in order, as AWS does for
 * Standard executions. Fire and forget: a failed put is retried a few times and then dropped, and never
 * delays or fails the execution. Every event is also kept in memory (the last 10,000).
 */
export class StatusEventPublisher {
  private readonly kept: StatusChangeEvent[] = [];
  private queue: Promise<void> = Promise.resolve();
  private client: EventBridgeClient | undefined;
  private closed = false;

  constructor(private readonly options: { endpoint?: string; region: string }) {}

  publish(row: ExecutionRow, redrive: RedriveState): void {
    if (this.closed || row.type !== 'STANDARD') return;
    const event: StatusChangeEvent = {
      time: new Date().toISOString(),
      source: 'aws.states',
      detailType: 'Step Functions Execution Status Change',
      resources: [row.arn],
      detail: statusChangeDetail(row, redrive),
    };
    this.kept.push(event);
    if (this.kept.length > KEPT_EVENTS) this.kept.shift();
    if (this.options.endpoint) this.queue = this.queue.then(() => this.send(event));
  }

  events(): StatusChangeEvent[] {
    return [...this.kept];
  }

  /** Resolves when every event published so far was delivered or given up. */
  idle(): Promise<void> {
    return this.queue;
  }

  close(): void {
    this.closed = true;
    this.client?.destroy();
  }

  private async send(event: StatusChangeEvent): Promise<void> {
    const { EventBridgeClient, PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    this.client ??= new EventBridgeClient({
      region: this.options.region,
      endpoint: this.options.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const entry = {
      Source: event.source,
      DetailType: event.detailType,
      Resources: event.resources,
      Detail: JSON.stringify(event.detail),
      Time: new Date(event.time),
    };
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        const output = await this.client.send(new PutEventsCommand({ Entries: [entry] }));
        if (!output.FailedEntryCount) return;
      } catch {
        // retried below: the bus may not be up yet
      }
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined) return;
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
    }
  }
}
