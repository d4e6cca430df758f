import { listSubscriptions } from '../adapters/dynamodb-subscriptions';
import { EventBridgePublisher } from '../adapters/event-bridge';
import { SubscriptionMarkingPublisher } from '../adapters/subscribed-events';
import type { ConfigWith } from '../config';
import type { EventPublisher } from '../ports';
import { documentClient } from './clients/dynamodb';
import { eventBridgeClient } from './clients/event-bridge';

/** The domain bus, each subscription event marked when its agency subscribed to it (the table is read for that). */
export const eventBridgePublisher = (
  config: Pick<ConfigWith<'eventBus'>, 'eventBusName' | 'tableName'>,
): EventPublisher =>
  new SubscriptionMarkingPublisher(new EventBridgePublisher(eventBridgeClient, config.eventBusName), {
    list: (agencyId) => listSubscriptions(documentClient, config.tableName, agencyId),
  });
