import { describe, expect, it } from 'vitest';
import { ConflictError, OrderChanged } from '../../../functions/src/domain/errors';
import { deliverWebhook } from '../../../functions/src/use-cases/deliver-webhook';
import { getOrder } from '../../../functions/src/use-cases/read-orders';
import { reviewItems } from '../../../functions/src/use-cases/review-items';
import { withdrawOrder } from '../../../functions/src/use-cases/withdraw-order';
import {
  escalate,
  evaluate,
  finalize,
  registerWait,
  STALE_WAIT_MS,
} from '../../../functions/src/use-cases/workflow-steps';
import { testWorld } from '../fakes';
import {
  AGENCY,
  answer,
  askClarification,
  deliveredOrder,
  noticeOf,
  registerMichat,
  runWorkflow,
  runWorkflowFor,
  submit,
} from '../lifecycle-helpers';
import { DEFAULT_POLICY } from '../policy-fixture';

const HOUR = 3_600_000;

describe('workflow steps', () => {
  it('waits until the earliest open deadline, or the warning before it', async () => {
    const { world, orderId } = await deliveredOrder(1);
    world.clock.advance(HOUR);
    // The first warning falls at half the 24 h.
    expect(await evaluate(world.deps, orderId)).toMatchObject({ next: 'wait', waitSeconds: 11 * 3600 });
    const quiet = await deliveredOrder(1, {}, { ...DEFAULT_POLICY, warnAt: [] });
    quiet.world.clock.advance(HOUR);
    expect(await evaluate(quiet.world.deps, quiet.orderId)).toMatchObject({
      next: 'wait',
      waitSeconds: 23 * 3600,
    });
  });

  it('registerWait refuses a stale version or a stale plan, so nothing that happened meanwhile is lost', async () => {
    const { world, secrets, orderId } = await deliveredOrder(2);
    const evaluation = await evaluate(world.deps, orderId);
    await answer(world, secrets.responseSecret, orderId, [{ itemId: '000001', outcome: 'removed' }]);
    await expect(registerWait(world.deps, { orderId, taskToken: 't', ...evaluation })).rejects.toThrow(
      OrderChanged,
    );
    const fresh = await evaluate(world.deps, orderId);
    world.clock.advance(STALE_WAIT_MS + 1_000);
    await expect(registerWait(world.deps, { orderId, taskToken: 't', ...fresh })).rejects.toThrow(/stale/);
  });

  it('escalates a large order although answers to other items land while it reads the items, each time', async () => {
    const { world, secrets, orderId } = await deliveredOrder(40);
    world.clock.advance(24 * HOUR);
    // The platform answers an item while every read of all items is under way (as 1,000-item parts do on a
    // 10,000-item order), so each read ends with the marker's version moved.
    const allItems = world.orders.allItems.bind(world.orders);
    let answered = 0;
    world.orders.allItems = async (id) => {
      const items = await allItems(id);
      answered += 1;
      const itemId = String(answered).padStart(6, '0');
      await answer(world, secrets.responseSecret, orderId, [{ itemId, outcome: 'removed' }]);
      return items;
    };
    await expect(escalate(world.deps, orderId)).resolves.toMatchObject({ stage: 'st1' });
    const order = await world.orders.getOrder(orderId);
    expect(order?.stage).toBe('st1');
    // The late answers stand beside the escalation.
    expect(order?.itemCounts.pending).toBe(40 - answered);
  });

  it('evaluate decides although answers land while it reads the items, each time; the counts the answers kept stand', async () => {
    const { world, secrets, orderId } = await deliveredOrder(40);
    world.clock.advance(HOUR);
    // Each read of all items sees an answer the marker read before it did not: its counts differ, and the commit
    // of their repair finds the version moved.
    const allItems = world.orders.allItems.bind(world.orders);
    let answered = 0;
    world.orders.allItems = async (id) => {
      answered += 1;
      const itemId = String(answered).padStart(6, '0');
      await answer(world, secrets.responseSecret, orderId, [{ itemId, outcome: 'removed' }]);
      return allItems(id);
    };
    await expect(evaluate(world.deps, orderId)).resolves.toMatchObject({ next: 'wait' });
    world.orders.allItems = allItems;
    await evaluate(world.deps, orderId);
    expect((await world.orders.getOrder(orderId))?.itemCounts).toMatchObject({
      total: 40,
      pending: 40 - answered,
      resolved: answered,
    });
  });

  it('does not escalate when the platform asked for a clarification while it read the items (the clock stopped)', async () => {
    const { world, secrets, orderId } = await deliveredOrder(3);
    world.clock.advance(24 * HOUR);
    const allItems = world.orders.allItems.bind(world.orders);
    let asked = false;
    world.orders.allItems = async (id) => {
      const items = await allItems(id);
      if (!asked) {
        asked = true;
        await askClarification(world, secrets.responseSecret, orderId, 'Which accounts exactly?');
      }
      return items;
    };
    await expect(escalate(world.deps, orderId)).resolves.toMatchObject({ stage: 'order' });
    expect((await world.orders.getOrder(orderId))?.stage).toBe('order');
  });

  it('escalates stage by stage with a notice each, accrues fines from ST2, refers at ST3 and finalizes', async () => {
    const { world, secrets, orderId } = await deliveredOrder(2);
    world.clock.advance(24 * HOUR);
    expect((await runWorkflow(world, orderId)).steps).toEqual(['escalate', 'deliver:000002', 'wait']);
    // Nothing more is due at the same moment: a repeated run escalates nothing.
    expect((await runWorkflow(world, orderId)).steps).toEqual(['wait']);
    expect((await world.orders.getOrder(orderId))?.stageHistory.map((entry) => entry.stage)).toEqual([
      'order',
      'st1',
    ]);
    world.clock.advance(24 * HOUR);
    expect((await runWorkflow(world, orderId)).steps).toEqual(['escalate', 'deliver:000003', 'wait']);
    world.clock.advance(30 * HOUR);
    await answer(world, secrets.responseSecret, orderId, [{ itemId: '000001', outcome: 'removed' }]);
    world.clock.advance(18 * HOUR);
    const view = await getOrder(world.deps, { agencyId: AGENCY, orderId });
    expect(view.items.find((item) => item.id === '000001')).toMatchObject({
      status: 'resolved',
      onTime: false,
      fineAccrued: 10_000_000,
    });
    expect((await runWorkflow(world, orderId)).steps).toEqual([
      'escalate',
      'finalize',
      'deliver:000004',
      'done',
    ]);
    const final = await getOrder(world.deps, { agencyId: AGENCY, orderId });
    expect(final.status).toBe('referred_for_blocking');
    expect(final.items.find((item) => item.id === '000002')?.fineAccrued).toBe(15_000_000);
    const events = world.published.map((event) => event.type);
    expect(events.filter((type) => type === 'takedown.reminder')).toHaveLength(1);
    expect(events.filter((type) => type === 'takedown.fine_notice')).toHaveLength(1);
    // One referral per order on the bus: the escalation's, not a second one from finalize.
    expect(events.filter((type) => type === 'takedown.referred_for_blocking')).toHaveLength(1);
    const delivered = world.endpoint.received.map((request) => JSON.parse(request.body).type);
    expect(delivered).toEqual([
      'takedown.requested',
      'takedown.reminder',
      'takedown.fine_notice',
      'takedown.blocking_referral',
    ]);
  });

  it('disputes pause escalation; each review decision is its own notice; uphold gives a fresh deadline', async () => {
    const { world, secrets, orderId } = await deliveredOrder(2);
    await answer(world, secrets.responseSecret, orderId, [
      { itemId: '000001', outcome: 'rejected', reason: { code: 'legal_objection', explanation: 'Satire' } },
      { itemId: '000002', outcome: 'rejected', reason: { code: 'not_our_service', explanation: 'Not ours' } },
    ]);
    expect((await runWorkflowFor(world, orderId, 25 * HOUR)).filter((step) => step !== 'wait')).toEqual([]);
    expect((await world.orders.getOrder(orderId))?.status).toBe('under_review');
    expect(world.published.map((event) => event.type)).toContain('takedown.review_reminder');
    await reviewItems(world.deps, {
      agencyId: AGENCY,
      orderId,
      itemIds: ['000001'],
      decision: 'uphold',
      note: 'Not satire',
      officer: null,
    });
    expect(world.workflow.woken.at(-1)?.output).toEqual({ changed: 'review' });
    const after = await getOrder(world.deps, { agencyId: AGENCY, orderId });
    expect(after.items[0]).toMatchObject({
      status: 'pending',
      deadlineAt: new Date(world.clock.now().getTime() + 24 * HOUR).toISOString(),
    });
    await reviewItems(world.deps, {
      agencyId: AGENCY,
      orderId,
      itemIds: ['000002'],
      decision: 'withdraw',
      note: 'Agreed',
      officer: null,
    });
    const run = await runWorkflow(world, orderId);
    expect(run.steps).toEqual(['deliver:000002', 'deliver:000003', 'wait']);
    expect(run.stopped).toEqual({ next: 'wait', waitSeconds: 24 * 3600 });
    const decisions = world.endpoint.received.slice(-2);
    expect(decisions.map((request) => JSON.parse(request.body).type)).toEqual([
      'takedown.review_decided',
      'takedown.review_decided',
    ]);
    // Two decisions at the same stage: a platform that deduplicates by webhook-id must see both.
    expect(decisions[0]?.headers['webhook-id']).not.toBe(decisions[1]?.headers['webhook-id']);
  });

  it('an order whose every item the agency withdrew through review ends withdrawn, and says so on the bus', async () => {
    const { world, secrets, orderId } = await deliveredOrder(1);
    await answer(world, secrets.responseSecret, orderId, [
      { itemId: '000001', outcome: 'rejected', reason: { code: 'manifest_error', explanation: 'Dead link' } },
    ]);
    await reviewItems(world.deps, {
      agencyId: AGENCY,
      orderId,
      itemIds: ['000001'],
      decision: 'withdraw',
      note: 'Agreed',
      officer: null,
    });
    const run = await runWorkflow(world, orderId);
    expect(run.stopped).toEqual({ next: 'done' });
    expect((await world.orders.getOrder(orderId))?.status).toBe('withdrawn');
    expect(world.published.filter((event) => event.type === 'takedown.withdrawn')).toHaveLength(1);
  });

  it('withdrawal closes open items, wakes the wait and tells the platform; a final order refuses it', async () => {
    const { world, orderId } = await deliveredOrder(2);
    const view = await withdrawOrder(world.deps, {
      agencyId: AGENCY,
      orderId,
      reason: 'Court order lifted',
      officer: null,
    });
    expect(view.status).toBe('withdrawn');
    expect(view.itemCounts).toMatchObject({ withdrawn: 2, pending: 0 });
    expect(world.workflow.woken).toEqual([expect.objectContaining({ output: { changed: 'withdrawal' } })]);
    expect((await runWorkflow(world, orderId)).steps).toEqual(['finalize', 'deliver:000002', 'done']);
    expect(world.published.filter((event) => event.type === 'takedown.withdrawn')).toHaveLength(1);
    expect(JSON.parse(world.endpoint.received.at(-1)?.body ?? '{}').type).toBe('takedown.withdrawn');
    await expect(
      withdrawOrder(world.deps, { agencyId: AGENCY, orderId, reason: 'again', officer: null }),
    ).rejects.toThrow(ConflictError);
  });

  it('finalize closes the items a withdrawal did not reach within its time budget', async () => {
    const { world, orderId } = await deliveredOrder(3);
    const order = world.orders.orders.get(orderId);
    if (!order) throw new Error('no order');
    const by = { kind: 'agency' as const, id: AGENCY };
    world.orders.orders.set(orderId, {
      ...order,
      status: 'withdrawn',
      withdrawal: { reason: 'r', at: order.createdAt, by },
    });
    expect(await finalize(world.deps, orderId)).toEqual({ status: 'withdrawn', noticeId: '000002' });
    const statuses = [...(world.orders.items.get(orderId)?.values() ?? [])].map((item) => item.status);
    expect(statuses).toEqual(['withdrawn', 'withdrawn', 'withdrawn']);
    expect((await world.orders.getOrder(orderId))?.itemCounts).toMatchObject({ withdrawn: 3, pending: 0 });
  });

  it('withdrawing an order the platform never received cancels its notice and tells the platform nothing', async () => {
    const world = testWorld();
    await registerMichat(world);
    const order = await submit(world);
    await withdrawOrder(world.deps, {
      agencyId: AGENCY,
      orderId: order.id,
      reason: 'Sent by mistake',
      officer: null,
    });
    expect((await runWorkflow(world, order.id)).steps).toEqual(['finalize', 'done']);
    expect(await deliverWebhook(world.deps, { orderId: order.id, noticeId: '000001' })).toMatchObject({
      outcome: 'skipped',
    });
    expect((await noticeOf(world, order.id)).webhook.state).toBe('cancelled');
    expect(world.endpoint.received).toHaveLength(0);
    expect(world.mailer.sent).toHaveLength(0);
  });

  it('a platform whose endpoint refuses every connection is served by email and still walks the ladder', async () => {
    const world = testWorld();
    await registerMichat(world);
    world.endpoint.statuses.push(...Array.from({ length: 100 }, () => ({ status: null })));
    const order = await submit(world);
    await runWorkflowFor(world, order.id, HOUR);
    const served = await world.orders.getOrder(order.id);
    expect(served).toMatchObject({ status: 'awaiting_platform', servedVia: 'email', notifiedAt: null });
    expect(served?.servedAt).toBe(world.clock.now().toISOString());
    expect(served?.deadlineAt).toBe(new Date(world.clock.now().getTime() + 24 * HOUR).toISOString());
    expect(served?.webhookHealth).toMatchObject({ state: 'failing', lastError: 'connection refused' });
    expect(world.published.map((event) => event.type)).toEqual(
      expect.arrayContaining(['takedown.served', 'platform.undeliverable']),
    );
    // ST1 at 24 h, ST2 24 h later, ST3 48 h after that; each notice's email an hour after it.
    await runWorkflowFor(world, order.id, (24 + 24 + 48 + 1) * HOUR);
    const final = await world.orders.getOrder(order.id);
    expect(final?.status).toBe('referred_for_blocking');
    const subjects = world.mailer.sent.map((email) => email.subject);
    const stageLetters = subjects.filter((subject) => !subject.includes('deadline is approaching'));
    expect(stageLetters).toHaveLength(4);
    // The warnings at half and 90 % of each deadline are emailed too, an hour later, still before the deadline.
    expect(subjects.length - stageLetters.length).toBe(6);
  });
});
