import { DescribeExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import {
  durationSeconds,
  executionArnOf,
  fastPolicy,
  getAudit,
  injectFaults,
  listEmails,
  listEvents,
  orderBody,
  runSchedule,
  sfnClient,
  startRegisteredPlatform,
  submitOrder,
  waitFor,
  waitForOrder,
} from './harness';

const RECONCILER = 'tenggat-reconciler';

/** The order's execution status, as DescribeExecution reports it. */
async function executionStatus(orderId: string): Promise<string | undefined> {
  const described = await sfnClient().send(
    new DescribeExecutionCommand({ executionArn: executionArnOf(orderId) }),
  );
  return described.status;
}

describe('an order whose execution stops without finishing', () => {
  it('after a StopExecution while it waits, is redriven by the reconciler and still escalates at its deadline', async () => {
    const { platformId, receiver } = await startRegisteredPlatform();
    receiver.respondWith = 200;
    try {
      const orderId = (await submitOrder(orderBody({ platformId }))).body.id;
      const served = await waitForOrder(orderId, (order) => order.servedAt !== null, { what: 'served' });
      await sfnClient().send(
        new StopExecutionCommand({ executionArn: executionArnOf(orderId), cause: 'an operator stopped it' }),
      );
      await waitFor(async () => (await executionStatus(orderId)) === 'ABORTED', { what: 'aborted' });
      // The deadline passes while nothing runs.
      const deadlineMs = Date.parse(served.deadlineAt ?? '');
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadlineMs - Date.now() + 500)));
      expect((await waitForOrder(orderId, () => true)).stage).toBe('order');

      // The schedule also runs by itself every minute: either run may be the one that recovers it.
      await runSchedule(RECONCILER);
      const escalated = await waitForOrder(orderId, (order) => order.stage === 'st1', {
        timeoutMs: 10_000,
        what: 'ST1 right after the recovery',
      });
      // It escalated at once after the recovery, not a whole period later.
      const st1At = Date.parse(escalated.stageHistory[1]?.at ?? '');
      expect(st1At - Date.now()).toBeLessThan(durationSeconds(fastPolicy.deadlines.standard.order) * 1000);
      expect(await executionStatus(orderId)).toBe('RUNNING');
      expect(escalated.executionArn).toBe(executionArnOf(orderId));
      const audit = await getAudit(orderId);
      expect(audit.find((entry) => entry.action === 'execution_recovered')?.details).toMatchObject({
        how: 'redriven',
        previousStatus: 'ABORTED',
      });
      expect(await listEvents({ detailType: 'order.execution_recovered', orderId })).toHaveLength(1);
      // Operators are told: the rule routes the event to their SNS topic, whose email subscription lands here.
      await waitFor(
        async () =>
          (await listEmails({ to: 'operations@tenggat.example' })).find(
            (email) => email.text.includes(orderId) && email.text.includes('order.execution_recovered'),
          ),
        { what: "the operators' alert email" },
      );
    } finally {
      await receiver.close();
    }
  });

  it('after a function fails past its retries, is redriven and goes on to escalate', async () => {
    const { platformId, receiver } = await startRegisteredPlatform();
    receiver.respondWith = 200;
    let orderId = '';
    try {
      orderId = (await submitOrder(orderBody({ platformId }))).body.id;
      await waitForOrder(orderId, (order) => order.servedAt !== null, { what: 'served' });
      // Evaluate is retried twice on a function error: three failures in a row fail the execution.
      await injectFaults('WorkflowStepFunction', 3, orderId);
      const deadline = await waitFor(
        async () => ((await executionStatus(orderId)) === 'FAILED' ? true : undefined),
        {
          timeoutMs: 30_000,
          what: 'the execution to fail',
        },
      );
      expect(deadline).toBe(true);
      await runSchedule(RECONCILER);
      const escalated = await waitForOrder(orderId, (order) => order.stage === 'st1', {
        timeoutMs: 20_000,
        what: 'ST1 after the recovery',
      });
      expect(escalated.status).toBe('awaiting_platform');
      const audit = await getAudit(orderId);
      expect(audit.find((entry) => entry.action === 'execution_recovered')?.details).toMatchObject({
        how: 'redriven',
        previousStatus: 'FAILED',
      });
    } finally {
      if (orderId) await injectFaults('WorkflowStepFunction', 0, orderId);
      await receiver.close();
    }
  });
});
