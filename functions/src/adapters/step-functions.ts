import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { type ExecutionState, executionArnFor } from '../domain/recovery';
import type { WorkflowGateway } from '../ports';

const named = (error: unknown, ...names: string[]): boolean =>
  error instanceof Error && names.includes(error.name);

export class StepFunctionsWorkflow implements WorkflowGateway {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  executionArnOf(name: string): string {
    return executionArnFor(this.stateMachineArn, name);
  }

  async start(orderId: string, options: { name?: string; recovery?: number } = {}): Promise<string> {
    const name = options.name ?? orderId;
    try {
      const started = await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name,
          // Only the id: items live in DynamoDB, never in execution history.
          input: JSON.stringify(options.recovery ? { orderId, recovery: options.recovery } : { orderId }),
        }),
      );
      return started.executionArn ?? this.executionArnOf(name);
    } catch (error) {
      // Same name and input is idempotent while running; a closed one already ran. Either way: started.
      if (named(error, 'ExecutionAlreadyExists')) return this.executionArnOf(name);
      throw error;
    }
  }

  async wake(taskToken: string, output: Record<string, unknown>): Promise<void> {
    try {
      await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    } catch (error) {
      // The wait already timed out or was woken: the machine re-evaluates on its own.
      if (named(error, 'TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken')) return;
      throw error;
    }
  }

  async describe(executionArn: string): Promise<ExecutionState> {
    try {
      const execution = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      return {
        status: execution.status ?? 'FAILED',
        stopDate: execution.stopDate ?? null,
        redriveStatus: execution.redriveStatus ?? null,
      };
    } catch (error) {
      if (named(error, 'ExecutionDoesNotExist')) return { status: 'NOT_FOUND' };
      throw error;
    }
  }

  async redrive(executionArn: string): Promise<void> {
    await this.client.send(new RedriveExecutionCommand({ executionArn }));
  }

  async listRunning(): Promise<Set<string>> {
    const running = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListExecutionsCommand({
          stateMachineArn: this.stateMachineArn,
          statusFilter: 'RUNNING',
          maxResults: 1000,
          nextToken,
        }),
      );
      for (const execution of page.executions ?? [])
        if (execution.executionArn) running.add(execution.executionArn);
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return running;
  }
}
