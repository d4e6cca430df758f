import { describe, expect, it } from 'vitest';
import { IdempotencyInFlightError } from '../../../functions/src/domain/errors';
import type { ItemRecord } from '../../../functions/src/domain/records';
import { listItems } from '../../../functions/src/use-cases/read-orders';
import { IDEMPOTENCY_LEASE_MS, submitOrder } from '../../../functions/src/use-cases/submit-order';
import { type TestWorld, testWorld } from '../fakes';
import { AGENCY, orderBody, registerMichat } from '../lifecycle-helpers';

class SimulatedCrash extends Error {
  constructor() {
    super('simulated crash');
    this.name = 'SimulatedCrash';
  }
}

/** Records the order of writes and how many times each item was written. */
function instrument(world: TestWorld) {
  const steps: string[] = [];
  const writesPerItem = new Map<string, number>();
  const putItems = world.orders.putItems.bind(world.orders);
  const createOrder = world.orders.createOrder.bind(world.orders);
  const start = world.workflow.start.bind(world.workflow);
  let crashAfterItems: number | null = null;
  world.orders.putItems = async (items: ItemRecord[], owner) => {
    steps.push(`items:${items.length}`);
    const allowed = crashAfterItems === null ? items : items.slice(0, crashAfterItems);
    for (const item of allowed) writesPerItem.set(item.itemId, (writesPerItem.get(item.itemId) ?? 0) + 1);
    await putItems(allowed, owner);
    if (allowed.length < items.length) throw new SimulatedCrash();
  };
  world.orders.createOrder = async (...args) => {
    steps.push('marker');
    return createOrder(...args);
  };
  world.workflow.start = async (orderId: string) => {
    steps.push('start');
    return start(orderId);
  };
  return {
    steps,
    writesPerItem,
    crashAfter: (count: number | null) => {
      crashAfterItems = count;
    },
  };
}

/**
 * The synchronous path with a maximum-size order: a deployment may raise `tenggat:asyncIntakeItems` to 10,000, and
 * every order up to the threshold is written before its answer. (Above it: intake-order.test.ts.)
 */
function syncWorld(): TestWorld {
  const world = testWorld();
  world.deps.asyncIntakeItems = 10_000;
  return world;
}

describe('submitOrder with a maximum-size order, synchronously (threshold raised to 10,000)', () => {
  it('writes all 10,000 items before the order marker, then starts the workflow', async () => {
    const world = syncWorld();
    await registerMichat(world);
    const probe = instrument(world);
    const body = orderBody({}, 10_000);
    const view = await submitOrder(world.deps, {
      agencyId: AGENCY,
      idempotencyKey: 'big',
      request: body,
      order: body,
    });
    expect(probe.steps).toEqual(['items:10000', 'marker', 'start']);
    expect(view.itemCounts).toMatchObject({ total: 10_000, pending: 10_000 });
    expect(view.items).toHaveLength(100);
    // One audit event for the submission, carrying the item count, rather than one per item.
    const audit = world.orders.audit.get('order-1') ?? [];
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'order_submitted', details: { items: 10_000 } });
  });

  it('a crash in the middle of the item writes leaves no order; the retry writes only the rest, once', async () => {
    const world = syncWorld();
    await registerMichat(world);
    const probe = instrument(world);
    const body = orderBody({}, 10_000);
    const input = { agencyId: AGENCY, idempotencyKey: 'big', request: body, order: body };

    probe.crashAfter(6_300);
    await expect(submitOrder(world.deps, input)).rejects.toBeInstanceOf(SimulatedCrash);
    expect(world.orders.orders.size).toBe(0);
    expect(world.workflow.started).toEqual([]);
    // Within the lease the first attempt may still be alive: the retry must not race it.
    await expect(submitOrder(world.deps, input)).rejects.toBeInstanceOf(IdempotencyInFlightError);

    probe.crashAfter(null);
    world.clock.advance(IDEMPOTENCY_LEASE_MS + 1_000);
    const retry = await submitOrder(world.deps, input);
    expect(retry.id).toBe('order-1');
    expect(probe.steps).toEqual(['items:10000', 'items:3700', 'marker', 'start']);
    expect([...world.orders.orders.keys()]).toEqual(['order-1']);
    expect(world.workflow.started).toEqual(['order-1']);
    expect(probe.writesPerItem.size).toBe(10_000);
    expect([...probe.writesPerItem.values()].every((count) => count === 1)).toBe(true);

    const page = await listItems(world.deps, {
      agencyId: AGENCY,
      orderId: 'order-1',
      limit: 100,
      cursor: null,
    });
    expect(page.items[0]).toMatchObject({ locator: 'https://michat.example/p/1', status: 'pending' });

    // And a client retrying once more gets the same order, with nothing written again.
    const again = await submitOrder(world.deps, input);
    expect(again.id).toBe('order-1');
    expect(probe.steps).toHaveLength(4);
  });

  it('a retry after a crash past the marker writes nothing again and answers with the order as it is now', async () => {
    const world = syncWorld();
    await registerMichat(world);
    const probe = instrument(world);
    const body = orderBody({}, 2_500);
    const input = { agencyId: AGENCY, idempotencyKey: 'after-marker', request: body, order: body };
    const start = world.workflow.start;
    world.workflow.start = async () => {
      throw new SimulatedCrash();
    };
    await expect(submitOrder(world.deps, input)).rejects.toBeInstanceOf(SimulatedCrash);
    world.workflow.start = start;
    // Meanwhile the order moved on (as if its workflow had already notified the platform).
    const committed = world.orders.orders.get('order-1');
    if (committed === undefined) throw new Error('the marker should have been written');
    committed.status = 'awaiting_platform';

    world.clock.advance(IDEMPOTENCY_LEASE_MS + 1_000);
    const retry = await submitOrder(world.deps, input);
    expect(retry).toMatchObject({ id: 'order-1', status: 'awaiting_platform' });
    expect(probe.steps).toEqual(['items:2500', 'marker', 'items:0', 'marker', 'start']);
    expect([...probe.writesPerItem.values()].every((count) => count === 1)).toBe(true);
    expect(world.orders.audit.get('order-1')).toHaveLength(1);
  });
});
