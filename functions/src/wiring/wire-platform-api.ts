import { loadConfig } from '../config';
import type { PlatformApiHandlerDeps } from '../handlers/platform-api';
import { eventBridgePublisher } from './events';
import {
  auditSigner,
  idempotencyStore,
  orderRepository,
  platformOrderIndex,
  platformRepository,
} from './stores';
import { systemClock } from './system';
import { stepFunctionsWorkflow } from './workflow';

/**
 * The table (orders, the platform index, platform records for their machine clients, Idempotency-Keys) and audit
 * key, Step Functions to wake the wait, the bus to announce answers and clarification requests.
 */
export function wirePlatformApi(env: NodeJS.ProcessEnv = process.env): PlatformApiHandlerDeps {
  const config = loadConfig(env, ['stateMachine', 'eventBus']);
  return {
    orders: orderRepository(config, auditSigner(config)),
    platformOrders: platformOrderIndex(config),
    platforms: platformRepository(config),
    webhookIds: idempotencyStore(config, 'WEBHOOK'),
    workflow: stepFunctionsWorkflow(config.stateMachineArn),
    events: eventBridgePublisher(config),
    clock: systemClock,
  };
}
