import { loadConfig } from '../config';
import type { PlatformResponsesHandlerDeps } from '../handlers/platform-responses';
import { eventBridgePublisher } from './events';
import { platformSecretStore } from './secrets';
import { auditSigner, idempotencyStore, orderRepository } from './stores';
import { systemClock } from './system';
import { stepFunctionsWorkflow } from './workflow';

/**
 * The table (orders, webhook-ids) and audit key, the platforms' secrets to check signatures, Step Functions to wake
 * the wait, the bus to announce the answers.
 */
export function wirePlatformResponses(env: NodeJS.ProcessEnv = process.env): PlatformResponsesHandlerDeps {
  const config = loadConfig(env, ['stateMachine', 'eventBus']);
  return {
    orders: orderRepository(config, auditSigner(config)),
    webhookIds: idempotencyStore(config, 'WEBHOOK'),
    secrets: platformSecretStore(config),
    workflow: stepFunctionsWorkflow(config.stateMachineArn),
    events: eventBridgePublisher(config),
    clock: systemClock,
  };
}
