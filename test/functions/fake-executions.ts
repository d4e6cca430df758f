import type { ExecutionDescription, ExecutionReader, HistoryEvent } from '../../functions/src/ports';

interface RecordedExecution {
  description: ExecutionDescription;
  definition: string;
  events: HistoryEvent[];
}

/** Executions by ARN, paged as GetExecutionHistory pages them (the token: where the next page starts). */
export class RecordedExecutions implements ExecutionReader {
  readonly executions = new Map<string, RecordedExecution>();
  /** Each history call's page size, to see how many events were read. */
  readonly historyCalls: number[] = [];

  record(execution: RecordedExecution): void {
    this.executions.set(execution.description.executionArn, execution);
  }

  async describe(executionArn: string): Promise<ExecutionDescription | null> {
    return this.executions.get(executionArn)?.description ?? null;
  }

  async definitionOf(executionArn: string): Promise<string> {
    const execution = this.executions.get(executionArn);
    if (execution === undefined) throw new Error(`ExecutionDoesNotExist: ${executionArn}`);
    return execution.definition;
  }

  async history(executionArn: string, page: { limit: number; nextToken: string | null }) {
    const execution = this.executions.get(executionArn);
    if (execution === undefined) throw new Error(`ExecutionDoesNotExist: ${executionArn}`);
    this.historyCalls.push(page.limit);
    const start = page.nextToken === null ? 0 : Number(page.nextToken);
    const events = execution.events.slice(start, start + page.limit);
    const end = start + events.length;
    return { events, nextToken: end < execution.events.length ? String(end) : null };
  }
}
