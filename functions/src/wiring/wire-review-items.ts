import { loadConfig } from '../config';
import type { ReviewItemsHandlerDeps } from '../handlers/review-items';
import { eventBridgePublisher } from './events';
import { auditSigner, orderRepository } from './stores';
import { systemClock } from './system';
import { stepFunctionsWorkflow } from './workflow';

/** The table and audit key, Step Functions to wake the waiting execution, the bus to announce the decision. */
export function wireReviewItems(env: NodeJS.ProcessEnv = process.env): ReviewItemsHandlerDeps {
  const config = loadConfig(env, ['stateMachine', 'eventBus', 'agencyClients']);
  return {
    orders: orderRepository(config, auditSigner(config)),
    workflow: stepFunctionsWorkflow(config.stateMachineArn),
    events: eventBridgePublisher(config.eventBusName),
    clock: systemClock,
    agencyClients: config.agencyClients,
  };
}
