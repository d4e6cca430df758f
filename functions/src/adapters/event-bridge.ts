import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DomainEvent, EventPublisher } from '../ports';

export class EventPublishError extends Error {
  override name = 'EventPublishError';
}

export const EVENT_SOURCE = 'tenggat.orders';

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: DomainEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += 10) {
      const chunk = events.slice(start, start + 10);
      const result = await this.client.send(
        new PutEventsCommand({
          Entries: chunk.map((event) => ({
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: event.type,
            Detail: JSON.stringify({ orderId: event.orderId, platformId: event.platformId, ...event.detail }),
          })),
        }),
      );
      if ((result.FailedEntryCount ?? 0) > 0) {
        throw new EventPublishError(`${result.FailedEntryCount} of ${chunk.length} events were not accepted`);
      }
    }
  }
}
