import {
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  type SFNClient,
  type HistoryEvent as SfnHistoryEvent,
} from '@aws-sdk/client-sfn';
import type { ExecutionDescription, ExecutionReader, HistoryEvent } from '../ports';

/** The one `...EventDetails` member an event carries (AWS names it after the event's type). */
function detailsOf(event: SfnHistoryEvent): Record<string, unknown> | null {
  for (const [key, value] of Object.entries(event))
    if (key.endsWith('EventDetails') && value !== null && typeof value === 'object')
      return value as Record<string, unknown>;
  return null;
}

export class StepFunctionsExecutions implements ExecutionReader {
  constructor(private readonly client: SFNClient) {}

  async describe(executionArn: string): Promise<ExecutionDescription | null> {
    try {
      const execution = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      return {
        executionArn: execution.executionArn ?? executionArn,
        stateMachineArn: execution.stateMachineArn ?? '',
        name: execution.name ?? executionArn.split(':').at(-1) ?? '',
        status: execution.status ?? 'FAILED',
        startDate: execution.startDate ?? new Date(0),
        stopDate: execution.stopDate ?? null,
        redriveCount: execution.redriveCount ?? 0,
        redriveStatus: execution.redriveStatus ?? null,
      };
    } catch (error) {
      if (error instanceof Error && error.name === 'ExecutionDoesNotExist') return null;
      throw error;
    }
  }

  async definitionOf(executionArn: string): Promise<string> {
    const machine = await this.client.send(new DescribeStateMachineForExecutionCommand({ executionArn }));
    return machine.definition ?? '{}';
  }

  async history(
    executionArn: string,
    page: { limit: number; nextToken: string | null },
  ): Promise<{ events: HistoryEvent[]; nextToken: string | null }> {
    const result = await this.client.send(
      new GetExecutionHistoryCommand({
        executionArn,
        maxResults: page.limit,
        reverseOrder: false,
        includeExecutionData: true,
        ...(page.nextToken === null ? {} : { nextToken: page.nextToken }),
      }),
    );
    const events = (result.events ?? []).map(
      (event): HistoryEvent => ({
        id: event.id ?? 0,
        previousEventId: event.previousEventId ?? null,
        timestamp: event.timestamp ?? new Date(0),
        type: event.type ?? 'Unknown',
        details: detailsOf(event),
      }),
    );
    return { events, nextToken: result.nextToken ?? null };
  }
}
