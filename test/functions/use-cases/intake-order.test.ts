import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../../functions/src/domain/duration';
import {
  ConflictError,
  IdempotencyKeyReusedError,
  UnprocessableError,
} from '../../../functions/src/domain/errors';
import { intakeBodyKey } from '../../../functions/src/domain/intake';
import type { ItemRecord } from '../../../functions/src/domain/records';
import { acceptOrderItems, IntakeBodyMissingError } from '../../../functions/src/use-cases/intake-order';
import { getOrder, listItems } from '../../../functions/src/use-cases/read-orders';
import { reconcileExecutions } from '../../../functions/src/use-cases/reconcile-executions';
import { IDEMPOTENCY_LEASE_MS, submitOrder } from '../../../functions/src/use-cases/submit-order';
import { withdrawOrder } from '../../../functions/src/use-cases/withdraw-order';
import { type TestWorld, testWorld } from '../fakes';
import { AGENCY, orderBody, registerMichat, runIntakes } from '../lifecycle-helpers';

class SimulatedCrash extends Error {
  override name = 'SimulatedCrash';
}

async function largeOrderWorld() {
  const world = testWorld();
  await registerMichat(world);
  const writes = new Map<string, number>();
  const putItems = world.orders.putItems.bind(world.orders);
  let crashAtSlice: number | null = null;
  let slices = 0;
  world.orders.putItems = async (items: ItemRecord[], owner) => {
    slices += 1;
    if (slices === crashAtSlice) throw new SimulatedCrash('the intake died writing this slice');
    for (const item of items) writes.set(item.itemId, (writes.get(item.itemId) ?? 0) + 1);
    await putItems(items, owner);
  };
  return {
    world,
    writes,
    crashAtSlice: (slice: number | null) => {
      crashAtSlice = slice;
      slices = 0;
    },
  };
}

const submitLarge = (world: TestWorld, count = 10_000, key = 'big') => {
  const body = orderBody({}, count);
  return submitOrder(world.deps, { agencyId: AGENCY, idempotencyKey: key, request: body, order: body });
};

const progressOf = async (world: TestWorld, orderId: string) => {
  const view = await getOrder(world.deps, { agencyId: AGENCY, orderId });
  return { status: view.status, itemsAccepted: view.itemsAccepted, total: view.itemCounts.total };
};

describe('a large order accepted in the background', () => {
  it('answers at once with the order accepting: counts as submitted, nothing written, the body kept', async () => {
    const { world, writes } = await largeOrderWorld();
    const view = await submitLarge(world);
    expect(view).toMatchObject({ id: 'order-1', status: 'accepting', itemsAccepted: 0, items: [] });
    expect(view.itemCounts).toEqual({
      total: 10_000,
      pending: 10_000,
      resolved: 0,
      disputed: 0,
      withdrawn: 0,
    });
    expect(writes.size).toBe(0);
    expect(world.intakeBodies.bodies.get(intakeBodyKey('order-1'))?.items).toHaveLength(10_000);
    expect(world.intake.requests).toEqual([{ orderId: 'order-1', from: 0, trigger: 'submit' }]);
    // Not notified yet: no execution and no notice until every item is in.
    expect(world.workflow.started).toEqual([]);
    expect(await world.orders.listNotices('order-1')).toEqual([]);
    expect(world.orders.audit.get('order-1')).toMatchObject([
      { action: 'order_submitted', details: { items: 10_000 } },
    ]);
  });

  it('writes 5,000 items per invocation, shows the progress, then moves to notifying and starts the execution', async () => {
    const { world, writes } = await largeOrderWorld();
    await submitLarge(world);
    const [first] = world.intake.take();
    if (!first) throw new Error('no intake was requested');
    expect(await acceptOrderItems(world.deps, first)).toEqual({ state: 'continued', itemsAccepted: 5_000 });
    expect(await progressOf(world, 'order-1')).toEqual({
      status: 'accepting',
      itemsAccepted: 5_000,
      total: 10_000,
    });
    const page = await listItems(world.deps, {
      agencyId: AGENCY,
      orderId: 'order-1',
      limit: 1_000,
      cursor: null,
    });
    expect(page.items[0]).toMatchObject({
      id: '000001',
      locator: 'https://michat.example/p/1',
      status: 'pending',
    });
    expect(world.intake.requests).toEqual([{ orderId: 'order-1', from: 5_000, trigger: 'continue' }]);

    world.clock.advance(3_000);
    expect(await runIntakes(world)).toEqual([{ state: 'complete', itemsAccepted: 10_000 }]);
    expect(await progressOf(world, 'order-1')).toEqual({
      status: 'notifying',
      itemsAccepted: 10_000,
      total: 10_000,
    });
    expect(writes.size).toBe(10_000);
    expect([...writes.values()].every((count) => count === 1)).toBe(true);
    expect(world.workflow.started).toEqual(['order-1']);
    // The first notice counts its grace period from when the order could be served, not from the 202.
    const notices = await world.orders.listNotices('order-1');
    expect(notices.map((notice) => [notice.noticeId, notice.event, notice.createdAt])).toEqual([
      ['000001', 'takedown.requested', world.clock.now().toISOString()],
    ]);
    expect(world.orders.orders.get('order-1')?.noticeSeq).toBe(1);
  });

  it('answers a retry with the same Idempotency-Key with the first answer, and refuses another body', async () => {
    const { world } = await largeOrderWorld();
    const first = await submitLarge(world);
    world.intake.take();
    const retry = await submitLarge(world);
    expect(retry).toEqual(first);
    expect([...world.orders.orders.keys()]).toEqual(['order-1']);
    expect(world.intake.requests).toEqual([]);
    await expect(submitLarge(world, 9_999)).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it('a crash mid-way leaves the progress where it was; the next invocation resumes there, writing each item once', async () => {
    const { world, writes, crashAtSlice } = await largeOrderWorld();
    await submitLarge(world);
    crashAtSlice(3);
    await expect(runIntakes(world)).rejects.toBeInstanceOf(SimulatedCrash);
    expect(await progressOf(world, 'order-1')).toMatchObject({ status: 'accepting', itemsAccepted: 2_000 });

    // Lambda retries the failed asynchronous invocation with the same payload.
    crashAtSlice(null);
    expect(await acceptOrderItems(world.deps, { orderId: 'order-1', from: 0, trigger: 'submit' })).toEqual({
      state: 'continued',
      itemsAccepted: 7_000,
    });
    await runIntakes(world);
    expect((await progressOf(world, 'order-1')).status).toBe('notifying');
    expect(writes.size).toBe(10_000);
    expect([...writes.values()].every((count) => count === 1)).toBe(true);
  });

  it('two invocations at once (a retry racing the first) finish the order once', async () => {
    const { world } = await largeOrderWorld();
    await submitLarge(world, 3_000);
    const request = { orderId: 'order-1', from: 0, trigger: 'submit' as const };
    const outcomes = await Promise.all([
      acceptOrderItems(world.deps, request),
      acceptOrderItems(world.deps, request),
    ]);
    // One finishes it; the other either finishes too (idempotently) or finds it no longer accepting.
    const states = outcomes.map((outcome) => outcome.state);
    expect(states).toContain('complete');
    expect(states.every((state) => state === 'complete' || state === 'not_accepting')).toBe(true);
    expect(await world.orders.listNotices('order-1')).toHaveLength(1);
    expect(world.workflow.started).toEqual(['order-1']);
    expect(await acceptOrderItems(world.deps, request)).toEqual({
      state: 'not_accepting',
      status: 'notifying',
    });
  });

  it('a submit that crashed after the marker is completed by its retry, which asks for the intake again', async () => {
    const { world } = await largeOrderWorld();
    const start = world.intake.start.bind(world.intake);
    world.intake.start = async () => {
      throw new SimulatedCrash('the submit died before the invoke');
    };
    await expect(submitLarge(world)).rejects.toBeInstanceOf(SimulatedCrash);
    world.intake.start = start;
    world.clock.advance(IDEMPOTENCY_LEASE_MS + 1_000);
    const retry = await submitLarge(world);
    expect(retry).toMatchObject({ id: 'order-1', status: 'accepting' });
    expect(world.intake.requests).toEqual([{ orderId: 'order-1', from: 0, trigger: 'submit' }]);
    expect(world.orders.audit.get('order-1')).toHaveLength(1);
  });

  it('an order at the threshold (1,000 items) is still written before its 201', async () => {
    const { world, writes } = await largeOrderWorld();
    const view = await submitLarge(world, 1_000);
    expect(view).toMatchObject({ status: 'notifying', itemsAccepted: 1_000 });
    expect(writes.size).toBe(1_000);
    expect(world.intake.requests).toEqual([]);
  });

  it('refuses a withdrawal while accepting, and fails loudly when the kept body is gone', async () => {
    const { world } = await largeOrderWorld();
    await submitLarge(world);
    await expect(
      withdrawOrder(world.deps, { agencyId: AGENCY, orderId: 'order-1', reason: 'mistake', officer: null }),
    ).rejects.toBeInstanceOf(ConflictError);
    world.intakeBodies.bodies.clear();
    await expect(runIntakes(world)).rejects.toBeInstanceOf(IntakeBodyMissingError);
  });
});

describe('duplicates of a large order', () => {
  it('are found slice by slice in the background (warn): each item keeps its own, the marker counts them', async () => {
    const { world } = await largeOrderWorld();
    await submitLarge(world, 3, 'small');
    await runIntakes(world);
    const accepted = await submitLarge(world, 1_500);
    expect(accepted).toMatchObject({ status: 'accepting', duplicates: [] });
    await runIntakes(world);
    const items = world.orders.items.get(accepted.id);
    expect(items?.get('000001')?.duplicateOf).toMatchObject({ sameAgency: true, orderId: 'order-1' });
    expect(items?.get('000004')?.duplicateOf).toBeUndefined();
    expect(world.orders.orders.get(accepted.id)).toMatchObject({ status: 'notifying', duplicateCount: 3 });
  });

  it('under duplicateLocators: reject are checked in every slice before the 202: a synchronous 422, nothing kept', async () => {
    const { world, writes } = await largeOrderWorld();
    await submitLarge(world, 3, 'small');
    writes.clear();
    world.deps.policy = { ...world.deps.policy, duplicateLocators: 'reject' };
    const refused = submitLarge(world, 1_500);
    await expect(refused).rejects.toBeInstanceOf(UnprocessableError);
    await expect(refused).rejects.toMatchObject({
      fieldErrors: expect.arrayContaining([expect.objectContaining({ field: 'items[2].locator' })]),
    });
    expect(world.orders.orders.size).toBe(1);
    expect(world.intakeBodies.bodies.size).toBe(0);
    expect(world.intake.requests).toEqual([]);
    expect(writes.size).toBe(0);
  });
});

describe('the reconciler and an accepting order', () => {
  it('resumes an intake that has not moved for the policy’s intakeStallPeriod, from its progress, and leaves a moving one alone', async () => {
    const { world, crashAtSlice } = await largeOrderWorld();
    const stallMs = parseDurationMs(world.deps.policy.intakeStallPeriod);
    await submitLarge(world);
    crashAtSlice(4);
    await expect(runIntakes(world)).rejects.toBeInstanceOf(SimulatedCrash);
    crashAtSlice(null);

    world.clock.advance(stallMs - 1_000);
    expect((await reconcileExecutions(world.deps)).resumedIntakes).toEqual([]);
    expect(world.intake.requests).toEqual([]);

    world.clock.advance(1_000);
    const report = await reconcileExecutions(world.deps);
    expect(report).toMatchObject({ openOrders: 1, recovered: [], failed: [] });
    expect(report.resumedIntakes).toEqual([{ orderId: 'order-1', itemsAccepted: 3_000 }]);
    expect(world.intake.requests).toEqual([{ orderId: 'order-1', from: 3_000, trigger: 'reconciler' }]);
    // Nothing else is done to it: no execution is started before every item is in.
    expect(world.workflow.started).toEqual([]);

    await runIntakes(world);
    expect(await progressOf(world, 'order-1')).toEqual({
      status: 'notifying',
      itemsAccepted: 10_000,
      total: 10_000,
    });
    expect(world.workflow.started).toEqual(['order-1']);
  });
});
