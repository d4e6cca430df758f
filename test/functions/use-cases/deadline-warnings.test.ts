import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { answerClarification } from '../../../functions/src/use-cases/clarifications';
import { warnDeadline } from '../../../functions/src/use-cases/warn-deadline';
import type { TestWorld } from '../fakes';
import {
  AGENCY,
  answer,
  askClarification,
  deliveredOrder,
  runWorkflow,
  runWorkflowFor,
} from '../lifecycle-helpers';

const HOUR = 3_600_000;

/**
 * The warnings the platform received, as their bodies, each signed with the notification secret (checked here
 * without the library's 5-minute window: the fake clock runs days ahead of the real one).
 */
function warningsReceived(world: TestWorld, notificationSecret: string) {
  return world.endpoint.received
    .map((request) => {
      const id = request.headers['webhook-id'] ?? '';
      const signed = new Webhook(notificationSecret).sign(
        id,
        new Date(Number(request.headers['webhook-timestamp']) * 1000),
        request.body,
      );
      expect(request.headers['webhook-signature']).toBe(signed);
      return JSON.parse(request.body) as { type: string };
    })
    .filter((body) => body.type === 'takedown.deadline_approaching') as {
    type: string;
    timestamp: string;
    data: {
      notice: { id: string };
      warning: Record<string, unknown>;
      items: unknown[];
      totalOpenItems: number;
    };
  }[];
}

describe('pre-deadline warnings (default policy: standard order, 24 h, warnAt [0.5, 0.9])', () => {
  it('warns a silent platform at 12 h and 21.6 h, signed, with the time left and the open items', async () => {
    const { world, secrets, orderId } = await deliveredOrder(3);
    const servedAt = world.clock.now().getTime();
    const deadline = new Date(servedAt + 24 * HOUR).toISOString();
    const steps = await runWorkflowFor(world, orderId, 24 * HOUR - 1_000);
    expect(steps.filter((step) => step === 'warn')).toHaveLength(2);
    const warnings = warningsReceived(world, secrets.notificationSecret);
    expect(warnings.map((body) => body.data.warning)).toEqual([
      {
        takedownRequestId: orderId,
        stage: 'order',
        deadline,
        timeLeft: 'PT12H',
        timeLeftSeconds: 12 * 3600,
        openItems: 3,
        fraction: 0.5,
      },
      {
        takedownRequestId: orderId,
        stage: 'order',
        deadline,
        timeLeft: 'PT2H24M',
        timeLeftSeconds: 2.4 * 3600,
        openItems: 3,
        fraction: 0.9,
      },
    ]);
    expect(warnings.map((body) => Date.parse(body.timestamp) - servedAt)).toEqual([12 * HOUR, 21.6 * HOUR]);
    expect(warnings.every((body) => body.data.items.length === 3 && body.data.totalOpenItems === 3)).toBe(
      true,
    );
    // Each is a notice of its own (its own webhook-id), in the audit trail and on the bus.
    expect(new Set(warnings.map((body) => body.data.notice.id)).size).toBe(2);
    const audit = (world.orders.audit.get(orderId) ?? []).filter(
      (event) => event.action === 'deadline_warning',
    );
    expect(audit.map((event) => event.details)).toEqual([
      expect.objectContaining({ deadlineAt: deadline, fraction: 0.5, openItems: 3 }),
      expect.objectContaining({ deadlineAt: deadline, fraction: 0.9, openItems: 3 }),
    ]);
    const published = world.published.filter((event) => event.type === 'takedown.deadline_approaching');
    expect(published.map((event) => event.detail)).toEqual([
      { stage: 'order', deadlineAt: deadline, fraction: 0.5, openItems: 3, agencyId: AGENCY },
      { stage: 'order', deadlineAt: deadline, fraction: 0.9, openItems: 3, agencyId: AGENCY },
    ]);
    // The next stage has warnings of its own: ST1's half-time 12 h after the escalation.
    await runWorkflowFor(world, orderId, 12 * HOUR + 2_000);
    const st1 = warningsReceived(world, secrets.notificationSecret).at(-1)?.data.warning;
    expect(st1).toMatchObject({ stage: 'st1', fraction: 0.5, timeLeftSeconds: 12 * 3600 });
  });

  it('counts only the items still open, and sends none to an order answered in full', async () => {
    const { world, secrets, orderId } = await deliveredOrder(3);
    await answer(world, secrets.responseSecret, orderId, [{ itemId: '000001', outcome: 'removed' }]);
    await runWorkflowFor(world, orderId, 12 * HOUR);
    expect(warningsReceived(world, secrets.notificationSecret)[0]?.data.warning.openItems).toBe(2);

    const answered = await deliveredOrder(2);
    await answer(answered.world, answered.secrets.responseSecret, answered.orderId, [
      { itemId: '000001', outcome: 'removed' },
      {
        itemId: '000002',
        outcome: 'rejected',
        reason: { code: 'manifest_error', explanation: 'Dead link.' },
      },
    ]);
    await runWorkflowFor(answered.world, answered.orderId, 30 * HOUR);
    expect(warningsReceived(answered.world, answered.secrets.notificationSecret)).toEqual([]);
    expect(await warnDeadline(answered.world.deps, answered.orderId)).toMatchObject({ warned: false });
  });

  it('cancels a warning still in the outbox once the items are answered, and a repeated warn adds nothing', async () => {
    const { world, secrets, orderId } = await deliveredOrder(1);
    world.clock.advance(12 * HOUR);
    expect(await warnDeadline(world.deps, orderId)).toMatchObject({ warned: true, noticeId: '000002' });
    expect(await warnDeadline(world.deps, orderId)).toMatchObject({ warned: false, noticeId: null });
    expect((await world.orders.getOrder(orderId))?.noticeSeq).toBe(2);
    await answer(world, secrets.responseSecret, orderId, [{ itemId: '000001', outcome: 'removed' }]);
    const run = await runWorkflow(world, orderId);
    expect(run.stopped.next).toBe('done');
    expect(warningsReceived(world, secrets.notificationSecret)).toEqual([]);
    expect((await world.orders.getNotice(orderId, '000002'))?.webhook.state).toBe('cancelled');
  });

  it('follows the real deadline across a clarification: none while paused, none early after it', async () => {
    const { world, secrets, orderId } = await deliveredOrder(2);
    await runWorkflowFor(world, orderId, 10 * HOUR);
    await askClarification(world, secrets.responseSecret, orderId, 'Is item 2 satire?');
    await runWorkflowFor(world, orderId, 30 * HOUR);
    expect(warningsReceived(world, secrets.notificationSecret)).toEqual([]);
    await answerClarification(world.deps, { agencyId: AGENCY, orderId, answer: 'Yes.', officer: 'Rina S.' });
    await runWorkflow(world, orderId);
    const resumedAt = world.clock.now().getTime();
    const { deadlineAt } = (await world.orders.getOrder(orderId)) ?? { deadlineAt: null };
    expect(deadlineAt).toBe(new Date(resumedAt + 24 * HOUR).toISOString());
    await runWorkflowFor(world, orderId, 12 * HOUR - 1_000);
    expect(warningsReceived(world, secrets.notificationSecret)).toEqual([]);
    await runWorkflowFor(world, orderId, 2_000);
    const [first] = warningsReceived(world, secrets.notificationSecret);
    expect(first?.data.warning).toMatchObject({
      deadline: deadlineAt,
      fraction: 0.5,
      timeLeftSeconds: 12 * 3600,
    });
  });
});
