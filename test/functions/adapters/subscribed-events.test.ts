import { describe, expect, it } from 'vitest';
import { SubscriptionMarkingPublisher } from '../../../functions/src/adapters/subscribed-events';
import type { SubscriptionRecord } from '../../../functions/src/domain/subscriptions';
import { subscriptionPayload } from '../../../functions/src/domain/subscriptions';
import type { DomainEvent } from '../../../functions/src/ports';
import { InMemorySubscriptions } from '../fake-subscriptions';

const subscription = (overrides: Partial<SubscriptionRecord>): SubscriptionRecord => ({
  subscriptionId: 'sub-1',
  agencyId: 'komdigi',
  url: 'https://agency.example/hook',
  events: ['takedown.order_final'],
  status: 'active',
  createdAt: '2026-12-01T00:00:00.000Z',
  disabledAt: null,
  lastDelivery: null,
  ...overrides,
});

const event = (type: string, agencyId = 'komdigi'): DomainEvent => ({
  type,
  orderId: `order-of-${agencyId}`,
  platformId: 'michat',
  agencyId,
  detail: { stage: 'order' },
});

async function published(subscriptions: SubscriptionRecord[], events: DomainEvent[]) {
  const store = new InMemorySubscriptions();
  for (const record of subscriptions) await store.create(record);
  const sent: DomainEvent[] = [];
  await new SubscriptionMarkingPublisher(
    { publish: async (batch) => void sent.push(...batch) },
    store,
  ).publish(events);
  return sent;
}

const marked = (events: DomainEvent[]) => events.map((sent) => sent.detail.subscribed === true);

describe('SubscriptionMarkingPublisher: only events a subscription takes start a delivery', () => {
  it('marks the events an active subscription of the agency takes, and publishes every event', async () => {
    const sent = await published(
      [subscription({})],
      [event('takedown.order_final'), event('takedown.notified'), event('takedown.requested')],
    );
    expect(sent.map((one) => one.type)).toEqual([
      'takedown.order_final',
      'takedown.notified',
      'takedown.requested',
    ]);
    expect(marked(sent)).toEqual([true, false, false]);
    expect(sent[0]?.detail).toEqual({ stage: 'order', subscribed: true });
  });

  it('marks nothing for an agency without subscriptions, or whose subscription is disabled', async () => {
    expect(marked(await published([], [event('takedown.order_final')]))).toEqual([false]);
    expect(
      marked(await published([subscription({ status: 'disabled' })], [event('takedown.order_final')])),
    ).toEqual([false]);
  });

  it("goes by each event's own agency", async () => {
    const sent = await published(
      [subscription({ agencyId: 'bssn' })],
      [event('takedown.order_final', 'komdigi'), event('takedown.order_final', 'bssn')],
    );
    expect(marked(sent)).toEqual([false, true]);
  });

  it('keeps the mark out of what the subscription receives', async () => {
    const [sent] = await published([subscription({})], [event('takedown.order_final')]);
    const payload = subscriptionPayload(
      { id: 'e1', type: 'takedown.order_final', time: '2026-12-01T00:00:00Z', detail: sent?.detail ?? {} },
      { orderId: 'o', reference: 'R/1', platformId: 'michat', status: 'complied', stage: 'order' },
    );
    expect(payload.data.detail).toEqual({ stage: 'order' });
  });
});
