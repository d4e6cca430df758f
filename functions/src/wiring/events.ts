import { EventBridgePublisher } from '../adapters/event-bridge';
import { eventBridgeClient } from './clients/event-bridge';

export const eventBridgePublisher = (eventBusName: string): EventBridgePublisher =>
  new EventBridgePublisher(eventBridgeClient, eventBusName);
