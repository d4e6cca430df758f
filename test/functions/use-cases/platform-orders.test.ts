import { describe, expect, it } from 'vitest';
import { IdempotencyKeyReusedError, NotFoundError } from '../../../functions/src/domain/errors';
import { registerPlatform } from '../../../functions/src/use-cases/operator';
import {
  answerPlatformOrder,
  getPlatformOrder,
  listPlatformOrderItems,
  listPlatformOrders,
  requestPlatformClarification,
} from '../../../functions/src/use-cases/platform-orders';
import { getOrder } from '../../../functions/src/use-cases/read-orders';
import { AGENCY, deliveredOrder, orderBody, runWorkflow, submit } from '../lifecycle-helpers';

const removed = (itemId: string) => ({ itemId, outcome: 'removed' as const });
const rejected = (itemId: string) => ({
  itemId,
  outcome: 'rejected' as const,
  reason: { code: 'legal_objection' as const, explanation: 'Satire, protected speech' },
});

async function itemIdsOf(world: Awaited<ReturnType<typeof deliveredOrder>>['world'], orderId: string) {
  const page = await listPlatformOrderItems(world.deps, {
    platformId: 'michat',
    orderId,
    limit: 10,
    cursor: null,
  });
  return page.items.map((item) => item.id);
}

describe('the platform-side API', () => {
  it('lists only the orders addressed to the platform, newest first, and filters by status', async () => {
    const { world, orderId } = await deliveredOrder();
    await registerPlatform(world.deps, {
      id: 'other',
      name: 'Other',
      webhookUrl: 'https://hooks.other.example/t',
      contactEmail: 'legal@other.example',
    });
    world.clock.advance(1_000);
    const second = await submit(world, orderBody(), 'key-2');
    await submit(world, orderBody({ platformId: 'other' }), 'key-3');
    const page = await listPlatformOrders(world.deps, {
      platformId: 'michat',
      status: null,
      limit: 10,
      cursor: null,
    });
    expect(page.items.map((order) => order.id)).toEqual([second.id, orderId]);
    const notified = await listPlatformOrders(world.deps, {
      platformId: 'michat',
      status: 'awaiting_platform',
      limit: 10,
      cursor: null,
    });
    expect(notified.items.map((order) => order.id)).toEqual([orderId]);
    const paged = await listPlatformOrders(world.deps, {
      platformId: 'michat',
      status: null,
      limit: 1,
      cursor: null,
    });
    expect(paged.items).toHaveLength(1);
    expect(paged.nextCursor).not.toBeNull();
  });

  it("shows the order as the webhook does, with statuses and deadlines, and never the agency's own data", async () => {
    const { world, orderId } = await deliveredOrder(3, { officer: 'Rina S.', evidence: [] });
    const view = await getPlatformOrder(world.deps, { platformId: 'michat', orderId });
    expect(view).toMatchObject({
      id: orderId,
      reference: 'AIS/2026/11/0042',
      legalBasis: ['UU ITE Art. 40(2b)', 'PM Kominfo 5/2020 Art. 15'],
      status: 'awaiting_platform',
      stage: 'order',
      itemCounts: { total: 3, pending: 3 },
      fine: { currency: 'IDR' },
      withdrawalReason: null,
    });
    expect(view.deadlineAt).not.toBeNull();
    expect(view.items.map((item) => item.status)).toEqual(['pending', 'pending', 'pending']);
    expect(view.items[0]?.deadlineAt).toBe(view.deadlineAt);
    for (const hidden of [
      'agencyId',
      'officer',
      'evidence',
      'deliveries',
      'notices',
      'executionArn',
      'webhookHealth',
    ])
      expect(view).not.toHaveProperty(hidden);
    expect(view.items[0]).not.toHaveProperty('duplicate');
  });

  it("another platform's order does not exist for it", async () => {
    const { world, orderId } = await deliveredOrder();
    await expect(getPlatformOrder(world.deps, { platformId: 'other', orderId })).rejects.toThrow(
      NotFoundError,
    );
    await expect(
      listPlatformOrderItems(world.deps, { platformId: 'other', orderId, limit: 10, cursor: null }),
    ).rejects.toThrow(NotFoundError);
    await expect(
      answerPlatformOrder(world.deps, {
        platformId: 'other',
        orderId,
        items: [removed('x')],
        idempotencyKey: null,
      }),
    ).rejects.toThrow(NotFoundError);
    await expect(
      requestPlatformClarification(world.deps, {
        platformId: 'other',
        orderId,
        question: 'Which one?',
        idempotencyKey: null,
      }),
    ).rejects.toThrow(NotFoundError);
  });

  it('answers as the signed endpoint does: results, audit, bus event, and the waiting workflow woken', async () => {
    const { world, orderId } = await deliveredOrder();
    const [first, second, third] = await itemIdsOf(world, orderId);
    if (first === undefined || second === undefined || third === undefined) throw new Error('no items');
    const result = await answerPlatformOrder(world.deps, {
      platformId: 'michat',
      orderId,
      items: [removed(first), rejected(second), removed(third), removed('no-such-item')],
      idempotencyKey: null,
    });
    expect(result).toEqual({
      takedownRequestId: orderId,
      results: [
        { itemId: first, result: 'applied' },
        { itemId: second, result: 'applied' },
        { itemId: third, result: 'applied' },
        { itemId: 'no-such-item', result: 'not_found' },
      ],
    });
    const audit = world.orders.audit.get(orderId) ?? [];
    expect(audit.at(-1)).toMatchObject({
      action: 'items_answered',
      actor: { kind: 'platform', id: 'michat' },
    });
    expect(world.published.map((event) => event.type)).toContain('takedown.items_answered');
    expect(world.workflow.woken.at(-1)?.output).toEqual({ changed: 'answers' });
    const agencyView = await getOrder(world.deps, { agencyId: AGENCY, orderId });
    expect(agencyView.items.map((item) => [item.status, item.outcome])).toEqual([
      ['resolved', 'removed'],
      ['disputed', 'rejected'],
      ['resolved', 'removed'],
    ]);
    const platformView = await getPlatformOrder(world.deps, { platformId: 'michat', orderId });
    expect(platformView.items[1]?.reason).toEqual(rejected(second).reason);
  });

  it('an Idempotency-Key makes a retry answer the first result, and refuses it for another body', async () => {
    const { world, orderId } = await deliveredOrder();
    const [first, second] = await itemIdsOf(world, orderId);
    if (first === undefined || second === undefined) throw new Error('no items');
    const input = { platformId: 'michat', orderId, items: [removed(first)], idempotencyKey: 'retry-1' };
    const once = await answerPlatformOrder(world.deps, input);
    const events = (world.orders.audit.get(orderId) ?? []).length;
    expect(await answerPlatformOrder(world.deps, input)).toEqual(once);
    expect(world.orders.audit.get(orderId) ?? []).toHaveLength(events);
    await expect(answerPlatformOrder(world.deps, { ...input, items: [removed(second)] })).rejects.toThrow(
      IdempotencyKeyReusedError,
    );
    // Without a key the same answer again is simply already final.
    const again = await answerPlatformOrder(world.deps, { ...input, idempotencyKey: null });
    expect(again.results).toEqual([{ itemId: first, result: 'already_final' }]);
  });

  it('a clarification request stops the clock, as through the signed endpoint', async () => {
    const { world, orderId } = await deliveredOrder();
    const asked = await requestPlatformClarification(world.deps, {
      platformId: 'michat',
      orderId,
      question: 'Is item 2 satire?',
      idempotencyKey: null,
    });
    expect(asked).toMatchObject({ takedownRequestId: orderId, clarification: { seq: 1, answer: null } });
    expect(world.published.map((event) => event.type)).toContain('takedown.clarification_requested');
    expect(world.workflow.woken.at(-1)?.output).toEqual({ changed: 'clarification' });
    const view = await getPlatformOrder(world.deps, { platformId: 'michat', orderId });
    expect(view).toMatchObject({ deadlineAt: null, clarification: { question: 'Is item 2 satire?' } });
    expect(view.clockPausedSince).not.toBeNull();
    expect((await runWorkflow(world, orderId)).steps).not.toContain('escalate');
  });
});
