import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, UnprocessableError } from '../../../functions/src/domain/errors';
import { type BusEvent, SUBSCRIPTION_EVENTS } from '../../../functions/src/domain/subscriptions';
import type { DomainEvent, WebhookRequest } from '../../../functions/src/ports';
import { deliverToSubscriptions } from '../../../functions/src/use-cases/deliver-subscriptions';
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  listSubscriptions,
  MAX_SUBSCRIPTIONS_PER_AGENCY,
} from '../../../functions/src/use-cases/subscriptions';
import { type TestWorld, testWorld } from '../fakes';
import { AGENCY, answer, deliveredOrder, runWorkflow } from '../lifecycle-helpers';

const OTHER_AGENCY = 'bareskrim';
const URL_A = 'https://alerts.komdigi.example/a';
const URL_B = 'https://alerts.komdigi.example/b';

let eventCounter = 0;
/** A published domain event as EventBridge hands it to the delivery function. */
const onTheBus = (event: DomainEvent): BusEvent => ({
  id: `event-${++eventCounter}`,
  type: event.type,
  time: new Date().toISOString(),
  detail: { orderId: event.orderId, platformId: event.platformId, ...event.detail },
});

/** Delivers every event published so far (first round of each), as the bus rule would. */
async function deliverPublished(world: TestWorld, from = 0) {
  const rounds = [];
  for (const event of world.published.slice(from)) {
    rounds.push(
      await deliverToSubscriptions(world.deps, { event: onTheBus(event), attempt: 0, pending: null }),
    );
  }
  return rounds;
}

const sentTo = (world: TestWorld, url: string): WebhookRequest[] =>
  world.endpoint.received.filter((request) => request.url === url);
const typesSentTo = (world: TestWorld, url: string) =>
  sentTo(world, url).map((request) => (JSON.parse(request.body) as { type: string }).type);

describe('agency subscriptions: create, list, get, delete', () => {
  it('answers the secret once, keeps it in the secret store, and lists the agency its own', async () => {
    const world = testWorld();
    const created = await createSubscription(world.deps, { agencyId: AGENCY, url: URL_A });
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.subscription).toMatchObject({
      id: expect.stringMatching(/^sub_[0-9a-f]{24}$/),
      url: URL_A,
      events: [...SUBSCRIPTION_EVENTS],
      status: 'active',
      disabledAt: null,
      lastDelivery: null,
    });
    expect(JSON.stringify(created.subscription)).not.toContain(created.secret);
    expect(await world.deps.subscriptionSecrets.get(created.subscription.id)).toBe(created.secret);
    await createSubscription(world.deps, { agencyId: OTHER_AGENCY, url: URL_B });
    expect((await listSubscriptions(world.deps, AGENCY)).map((view) => view.id)).toEqual([
      created.subscription.id,
    ]);
    const input = { agencyId: AGENCY, subscriptionId: created.subscription.id };
    expect(await getSubscription(world.deps, input)).toEqual(created.subscription);
    await deleteSubscription(world.deps, input);
    await expect(getSubscription(world.deps, input)).rejects.toBeInstanceOf(NotFoundError);
    expect(await world.deps.subscriptionSecrets.get(created.subscription.id)).toBeNull();
    expect(await listSubscriptions(world.deps, AGENCY)).toEqual([]);
  });

  it("another agency's subscription is not found, for reading and for deleting", async () => {
    const world = testWorld();
    const { subscription } = await createSubscription(world.deps, { agencyId: AGENCY, url: URL_A });
    const asOther = { agencyId: OTHER_AGENCY, subscriptionId: subscription.id };
    await expect(getSubscription(world.deps, asOther)).rejects.toBeInstanceOf(NotFoundError);
    await expect(deleteSubscription(world.deps, asOther)).rejects.toBeInstanceOf(NotFoundError);
    expect(await listSubscriptions(world.deps, OTHER_AGENCY)).toEqual([]);
    expect(await getSubscription(world.deps, { agencyId: AGENCY, subscriptionId: subscription.id })).toEqual(
      subscription,
    );
  });

  it('refuses unknown events, naming each, and keeps the known ones in the list order', async () => {
    const world = testWorld();
    const refused = createSubscription(world.deps, {
      agencyId: AGENCY,
      url: URL_A,
      events: ['takedown.served', 'takedown.exploded', 'order.lost', 'takedown.exploded'],
    });
    await expect(refused).rejects.toBeInstanceOf(UnprocessableError);
    await expect(refused).rejects.toMatchObject({
      message: 'unknown events: takedown.exploded, order.lost',
      fieldErrors: [
        { field: 'events', message: 'unknown event "takedown.exploded"' },
        { field: 'events', message: 'unknown event "order.lost"' },
      ],
    });
    expect(world.deps.subscriptionSecrets).toMatchObject({ secrets: new Map() });
    const chosen = await createSubscription(world.deps, {
      agencyId: AGENCY,
      url: URL_A,
      events: ['takedown.order_final', 'takedown.served'],
    });
    expect(chosen.subscription.events).toEqual(['takedown.served', 'takedown.order_final']);
  });

  it('keeps an agency to a bounded number of subscriptions; deleting one makes room', async () => {
    const world = testWorld();
    const ids: string[] = [];
    for (let index = 0; index < MAX_SUBSCRIPTIONS_PER_AGENCY; index += 1)
      ids.push(
        (await createSubscription(world.deps, { agencyId: AGENCY, url: `${URL_A}/${index}` })).subscription
          .id,
      );
    await expect(createSubscription(world.deps, { agencyId: AGENCY, url: URL_B })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(await createSubscription(world.deps, { agencyId: OTHER_AGENCY, url: URL_B })).toBeDefined();
    await deleteSubscription(world.deps, { agencyId: AGENCY, subscriptionId: ids[0] ?? '' });
    expect((await createSubscription(world.deps, { agencyId: AGENCY, url: URL_B })).subscription.url).toBe(
      URL_B,
    );
  });

  it.each([
    ['http://alerts.komdigi.example/a', 'the webhook URL must use https'],
    ['https://10.1.2.3/hook', 'private, link-local and reserved addresses are not allowed'],
    ['https://169.254.169.254/latest', 'private, link-local and reserved addresses are not allowed'],
    ['https://127.0.0.1/hook', 'loopback addresses are not allowed'],
  ])('refuses %s as the platform webhook rules do', async (url, message) => {
    const world = testWorld();
    await expect(createSubscription(world.deps, { agencyId: AGENCY, url })).rejects.toMatchObject({
      fieldErrors: [{ field: 'url', message }],
    });
    expect(await listSubscriptions(world.deps, AGENCY)).toEqual([]);
  });
});

describe('agency subscriptions: delivery', () => {
  it("sends each event of the agency's order, signed with the subscription's secret, filtered by events", async () => {
    const { world, secrets, orderId } = await deliveredOrder();
    const all = await createSubscription(world.deps, { agencyId: AGENCY, url: URL_A });
    const finalOnly = await createSubscription(world.deps, {
      agencyId: AGENCY,
      url: URL_B,
      events: ['takedown.order_final'],
    });
    const other = await createSubscription(world.deps, {
      agencyId: OTHER_AGENCY,
      url: 'https://alerts.bareskrim.example/',
    });
    const order = await world.orders.getOrder(orderId);
    const items = await world.orders.allItems(orderId);
    await answer(
      world,
      secrets.responseSecret,
      orderId,
      items.map((item) => ({ itemId: item.itemId, outcome: 'removed' })),
    );
    await runWorkflow(world, orderId);
    await deliverPublished(world);

    expect(typesSentTo(world, URL_A)).toEqual([
      'takedown.served',
      'takedown.notified',
      'takedown.items_answered',
      'takedown.complied',
      'takedown.order_final',
    ]);
    expect(typesSentTo(world, URL_B)).toEqual(['takedown.order_final']);
    expect(sentTo(world, 'https://alerts.bareskrim.example/')).toEqual([]);
    expect(other.subscription.status).toBe('active');

    const final = sentTo(world, URL_B)[0];
    if (final === undefined) throw new Error('no takedown.order_final sent');
    const verified = new Webhook(finalOnly.secret).verify(final.body, final.headers) as Record<
      string,
      unknown
    >;
    expect(verified).toMatchObject({
      type: 'takedown.order_final',
      data: {
        order: { id: orderId, reference: order?.reference, platformId: 'michat', status: 'complied' },
        detail: { agencyId: AGENCY, status: 'complied', fineAccrued: 0, itemCounts: { resolved: 3 } },
      },
    });
    expect(() => new Webhook(all.secret).verify(final.body, final.headers)).toThrow();
    const [view] = await listSubscriptions(world.deps, AGENCY);
    expect(view?.lastDelivery).toMatchObject({ event: 'takedown.order_final', attempt: 1, httpStatus: 200 });
  });

  it('a 410 Gone disables the subscription: nothing is retried or sent to it after', async () => {
    const { world } = await deliveredOrder();
    const { subscription } = await createSubscription(world.deps, { agencyId: AGENCY, url: URL_A });
    world.endpoint.statuses.push({ status: 410 });
    const [first, second] = await deliverPublished(world);
    expect(first).toMatchObject({ pending: [], waitSeconds: 0 });
    expect(second).toMatchObject({ pending: [] });
    expect(typesSentTo(world, URL_A)).toEqual(['takedown.served']);
    const view = await getSubscription(world.deps, { agencyId: AGENCY, subscriptionId: subscription.id });
    expect(view).toMatchObject({
      status: 'disabled',
      disabledAt: world.clock.now().toISOString(),
      lastDelivery: { event: 'takedown.served', httpStatus: 410, error: 'HTTP 410' },
    });
  });

  it("retries what failed on the order's delivery schedule, with the same webhook-id, until it is spent", async () => {
    const { world } = await deliveredOrder();
    const ok = await createSubscription(world.deps, { agencyId: AGENCY, url: URL_A });
    const failing = await createSubscription(world.deps, { agencyId: AGENCY, url: URL_B });
    const served = world.published.find((event) => event.type === 'takedown.served');
    if (served === undefined) throw new Error('the order was not served');
    const event = onTheBus(served);
    // The schedule is PT0S, PT5S, PT5M, ...: after the first failure the next attempt comes 5 s later.
    world.endpoint.statuses.push({ status: 200 }, { status: 503 });
    const first = await deliverToSubscriptions(world.deps, { event, attempt: 0, pending: null });
    expect(first).toMatchObject({ attempt: 1, pending: [failing.subscription.id], waitSeconds: 5 });
    world.endpoint.statuses.push({ status: 503, retryAfter: 120 });
    const second = await deliverToSubscriptions(world.deps, first);
    expect(second).toMatchObject({ attempt: 2, pending: [failing.subscription.id], waitSeconds: 300 });
    const third = await deliverToSubscriptions(world.deps, second);
    expect(third).toMatchObject({ attempt: 3, pending: [], waitSeconds: 0 });
    expect(sentTo(world, URL_A)).toHaveLength(1);
    const ids = sentTo(world, URL_B).map((request) => request.headers['webhook-id']);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
    expect(sentTo(world, URL_A)[0]?.headers['webhook-id']).not.toBe(ids[0]);
    expect(ok.subscription.status).toBe('active');

    const schedule = world.deps.policy.deliveryRetrySchedule;
    let round = { event, attempt: 0, pending: [failing.subscription.id] as string[] | null };
    for (let attempt = 1; attempt <= schedule.length; attempt += 1) {
      world.endpoint.statuses.push({ status: null });
      round = await deliverToSubscriptions(world.deps, round);
    }
    expect(round.pending).toEqual([]);
    const view = await getSubscription(world.deps, {
      agencyId: AGENCY,
      subscriptionId: failing.subscription.id,
    });
    expect(view).toMatchObject({
      status: 'active',
      lastDelivery: { attempt: schedule.length, httpStatus: null },
    });
  });

  it('a deleted subscription gets nothing, even a retry already planned', async () => {
    const { world } = await deliveredOrder();
    const { subscription } = await createSubscription(world.deps, { agencyId: AGENCY, url: URL_A });
    const served = world.published.find((event) => event.type === 'takedown.served');
    if (served === undefined) throw new Error('the order was not served');
    world.endpoint.statuses.push({ status: 500 });
    const first = await deliverToSubscriptions(world.deps, {
      event: onTheBus(served),
      attempt: 0,
      pending: null,
    });
    expect(first.pending).toEqual([subscription.id]);
    await deleteSubscription(world.deps, { agencyId: AGENCY, subscriptionId: subscription.id });
    expect(await deliverToSubscriptions(world.deps, first)).toMatchObject({ pending: [] });
    expect(sentTo(world, URL_A)).toHaveLength(1);
  });
});
