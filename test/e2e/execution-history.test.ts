import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import {
  orderBody,
  progressLog,
  SANDBOX_PLATFORM,
  STATE_MACHINE_ARN,
  sfnClient,
  submitOrder,
  waitForOrder,
} from './harness';

describe('an order as a Step Functions execution', () => {
  it('is found by the order id with its full history once the sandbox platform complied', async () => {
    const submitted = await submitOrder(orderBody({ platformId: SANDBOX_PLATFORM }));
    expect(submitted.status).toBe(201);
    const orderId = submitted.body.id;
    await waitForOrder(orderId, (order) => order.status === 'complied', { what: 'complied' });

    const sfn = sfnClient();
    const executionArn = `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${orderId}`;
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN }));
    expect(listed.executions?.map((execution) => execution.name)).toContain(orderId);

    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.input ?? '{}')).toEqual({ orderId });

    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    const events = history.events ?? [];
    expect(events[0]?.type).toBe('ExecutionStarted');
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    const entered = events.flatMap((event) => event.stateEnteredEventDetails?.name ?? []);
    expect(entered).toEqual(
      expect.arrayContaining(['Evaluate', 'Route', 'DeliverNotice', 'Await', 'Finalize', 'Done']),
    );

    // The local cloud logged this order's progress, one line per step.
    const lines = progressLog().filter((line) => line.includes(`order ${orderId}`));
    expect(lines.some((line) => line.includes('(komdigi-ais → michat-sandbox) submitted: 2 item(s)'))).toBe(
      true,
    );
    expect(lines.some((line) => line.includes('delivered takedown.requested'))).toBe(true);
    expect(lines.some((line) => line.includes('complied'))).toBe(true);
  });
});
