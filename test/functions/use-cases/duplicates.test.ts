import { describe, expect, it } from 'vitest';
import { UnprocessableError } from '../../../functions/src/domain/errors';
import { newOrderRecords } from '../../../functions/src/domain/new-order';
import { findDuplicates, withDuplicates } from '../../../functions/src/use-cases/find-duplicates';
import { registerPlatform } from '../../../functions/src/use-cases/operator';
import { getOrder, listItems } from '../../../functions/src/use-cases/read-orders';
import { submitOrder } from '../../../functions/src/use-cases/submit-order';
import { withdrawOrder } from '../../../functions/src/use-cases/withdraw-order';
import { testWorld } from '../fakes';
import { AGENCY, answer, deliveredOrder, orderBody, registerMichat, submit } from '../lifecycle-helpers';
import { DEFAULT_POLICY } from '../policy-fixture';

const OTHER_AGENCY = 'bnpt';
const urls = (...locators: string[]) => locators.map((locator) => ({ kind: 'url' as const, locator }));

describe('duplicates across open orders (warn, the default)', () => {
  it("reports the same agency's open item with its ids, another agency's only as existing", async () => {
    const world = testWorld();
    await registerMichat(world);
    const first = await submit(world, orderBody({ items: urls('https://michat.example/p/1?b=2&a=1') }));
    const theirs = await submit(
      world,
      orderBody({ items: urls('https://michat.example/p/2') }),
      'key-2',
      OTHER_AGENCY,
    );
    const body = orderBody({
      items: urls(
        'HTTPS://MiChat.Example:443/p/1?a=1&b=2#comments',
        'https://michat.example/p/2',
        'https://michat.example/p/3',
      ),
    });
    const second = await submit(world, body, 'key-3');
    expect(second.duplicates).toEqual([
      { index: 0, sameAgency: true, orderId: first.id, itemId: '000001' },
      { index: 1, sameAgency: false },
    ]);
    expect(JSON.stringify(second.duplicates)).not.toContain(theirs.id);

    // The order view keeps them: a count on the order, each duplicate on its item.
    const view = await getOrder(world.deps, { agencyId: AGENCY, orderId: second.id });
    expect(view.duplicateCount).toBe(2);
    expect(view.items.map((item) => item.duplicate)).toEqual([
      { sameAgency: true, orderId: first.id, itemId: '000001' },
      { sameAgency: false },
      null,
    ]);
    expect(first.duplicates).toEqual([]);
  });

  it('reports a repeat within the same order against its first occurrence', async () => {
    const world = testWorld();
    await registerMichat(world);
    const order = await submit(
      world,
      orderBody({
        items: [
          { kind: 'account', locator: '@JudiBos' },
          { kind: 'url', locator: 'https://michat.example/x' },
          { kind: 'account', locator: 'judibos' },
        ],
      }),
    );
    expect(order.duplicates).toEqual([{ index: 2, sameAgency: true, orderId: order.id, itemId: '000001' }]);
  });

  it('ignores items no longer open, orders that are final and orders to another platform', async () => {
    const { world, secrets, orderId } = await deliveredOrder(3);
    await answer(world, secrets.responseSecret, orderId, [{ itemId: '000001', outcome: 'removed' }]);
    const withdrawn = await submit(world, orderBody({ items: urls('https://michat.example/w') }), 'key-w');
    await withdrawOrder(world.deps, {
      agencyId: AGENCY,
      orderId: withdrawn.id,
      reason: 'court',
      officer: null,
    });
    await registerPlatform(world.deps, {
      id: 'other',
      name: 'Other',
      webhookUrl: 'https://hooks.other.example/tenggat',
      contactEmail: 'legal@other.example',
    });
    await submit(world, orderBody({ platformId: 'other', items: urls('https://michat.example/o') }), 'key-o');
    // An order referred for blocking is final with its items still pending: they stay in the index.
    const referred = await submit(world, orderBody({ items: urls('https://michat.example/r') }), 'key-r');
    const marker = world.orders.orders.get(referred.id);
    if (marker) world.orders.orders.set(referred.id, { ...marker, status: 'referred_for_blocking' });

    const next = await submit(
      world,
      orderBody({
        items: urls(
          'https://michat.example/p/1',
          'https://michat.example/p/2',
          'https://michat.example/w',
          'https://michat.example/o',
          'https://michat.example/r',
        ),
      }),
      'key-next',
    );
    // p/1 was removed; p/2 is still pending in the delivered order.
    expect(next.duplicates).toEqual([{ index: 1, sameAgency: true, orderId, itemId: '000002' }]);
  });

  it('looks each distinct locator up once in the index, whatever the number of items', async () => {
    const world = testWorld();
    await registerMichat(world);
    await submit(world, orderBody({}, 50));
    const queriesBefore = world.orders.locatorQueries;
    const items = Array.from({ length: 200 }, (_, index) => ({
      kind: 'url' as const,
      locator: `https://michat.example/p/${(index % 40) + 1}`,
    }));
    const view = await submit(world, orderBody({ items }), 'key-2');
    expect(world.orders.locatorQueries - queriesBefore).toBe(40);
    // 40 open in the first order, the other 160 repeats of this one.
    expect(view.duplicates).toHaveLength(200);
    expect(view.duplicates.filter((entry) => entry.orderId === view.id)).toHaveLength(160);
  });

  it('lets a slice of a large order find repeats of items written by earlier slices', async () => {
    const world = testWorld();
    await registerMichat(world);
    const body = orderBody({ items: urls('https://michat.example/a', 'https://michat.example/b') });
    // As an intake writes its first slice: the records through withDuplicates, which gives them their digests.
    const { items } = withDuplicates(
      newOrderRecords(body, {
        orderId: 'order-big',
        agencyId: AGENCY,
        createdAt: new Date().toISOString(),
        policy: DEFAULT_POLICY,
        executionArn: 'arn',
      }),
      [],
    );
    await world.orders.putItems(items, { agencyId: AGENCY, createdAt: new Date().toISOString() });
    const found = await findDuplicates(world.deps, {
      items: urls('https://michat.example/c', 'https://michat.example/b/'.slice(0, -1)),
      platformId: 'michat',
      agencyId: AGENCY,
      orderId: 'order-big',
      firstIndex: 2,
    });
    expect(found).toEqual([{ index: 3, sameAgency: true, orderId: 'order-big', itemId: '000002' }]);
  });
});

describe('duplicates under duplicateLocators: reject', () => {
  it('refuses the order with 422 naming each duplicate item, writes nothing and frees the key', async () => {
    const world = testWorld({ ...DEFAULT_POLICY, duplicateLocators: 'reject' });
    await registerMichat(world);
    const first = await submit(world, orderBody({ items: urls('https://michat.example/p/1') }));
    const body = orderBody({
      items: urls('https://michat.example/new', 'https://michat.example/p/1', 'https://michat.example/new'),
    });
    const attempt = submitOrder(world.deps, {
      agencyId: AGENCY,
      idempotencyKey: 'k2',
      request: body,
      order: body,
    });
    const error = await attempt.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnprocessableError);
    expect((error as UnprocessableError).fieldErrors).toEqual([
      { field: 'items[1].locator', message: `is already open in order ${first.id} (item 000001)` },
      { field: 'items[2].locator', message: 'repeats items[0] of this order' },
    ]);
    expect([...world.orders.orders.keys()]).toEqual([first.id]);
    expect([...world.orders.items.keys()]).toEqual([first.id]);

    // The key is free: the corrected order goes through under it.
    const corrected = orderBody({ items: urls('https://michat.example/new') });
    const view = await submitOrder(world.deps, {
      agencyId: AGENCY,
      idempotencyKey: 'k2',
      request: corrected,
      order: corrected,
    });
    expect(view.duplicates).toEqual([]);
    expect(
      (await listItems(world.deps, { agencyId: AGENCY, orderId: view.id, limit: 10, cursor: null })).items,
    ).toHaveLength(1);
  });
});
