import { SendTaskSuccessCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { WorkflowGateway } from '../ports';

const named = (error: unknown, ...names: string[]): boolean =>
  error instanceof Error && names.includes(error.name);

export class StepFunctionsWorkflow implements WorkflowGateway {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(orderId: string): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: orderId,
          // Only the id: items live in DynamoDB, never in execution history.
          input: JSON.stringify({ orderId }),
        }),
      );
    } catch (error) {
      // Same name and input is idempotent while running; a closed one already ran. Either way: started.
      if (named(error, 'ExecutionAlreadyExists')) return;
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
}
