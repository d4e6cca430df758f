import { isSubscriptionEvent, SUBSCRIBED_MARK, wantsEvent } from '../domain/subscriptions';
import type { DomainEvent, EventPublisher, SubscriptionRepository } from '../ports';

/**
 * Marks each subscription event that an active subscription of its agency takes (`detail.subscribed: true`) before
 * it goes to the bus, whose rule starts a `SubscriptionDelivery` execution only for marked events. Without it every
 * event of every order started an execution and a Lambda invocation that found nobody to tell; now an agency
 * without subscriptions costs one Query per publish. Read when publishing (no cache): a subscription takes events
 * from the moment it is created, as before.
 */
export class SubscriptionMarkingPublisher implements EventPublisher {
  constructor(
    private readonly inner: EventPublisher,
    private readonly subscriptions: Pick<SubscriptionRepository, 'list'>,
  ) {}

  async publish(events: DomainEvent[]): Promise<void> {
    const agencies = [
      ...new Set(events.filter((event) => isSubscriptionEvent(event.type)).map((event) => event.agencyId)),
    ];
    const byAgency = new Map(
      await Promise.all(
        agencies.map(async (agencyId) => [agencyId, await this.subscriptions.list(agencyId)] as const),
      ),
    );
    await this.inner.publish(
      events.map((event) =>
        (byAgency.get(event.agencyId) ?? []).some((subscription) => wantsEvent(subscription, event.type))
          ? { ...event, detail: { ...event.detail, [SUBSCRIBED_MARK]: true } }
          : event,
      ),
    );
  }
}
