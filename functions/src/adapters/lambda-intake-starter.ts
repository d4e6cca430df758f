import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { IntakeRequest } from '../domain/intake';
import type { IntakeStarter } from '../ports';

/**
 * An asynchronous invoke (`InvocationType: Event`) of the intake function: Lambda queues it, answers 202 at once and
 * retries a failed run twice; the reconciler resumes an intake that stalled past those retries.
 */
export class LambdaIntakeStarter implements IntakeStarter {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  async start(request: IntakeRequest): Promise<void> {
    await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'Event',
        // Field order is part of the payload: fault injection in tests matches on `"from":<n>,"trigger":"..."`.
        Payload: JSON.stringify({ orderId: request.orderId, from: request.from, trigger: request.trigger }),
      }),
    );
  }
}
