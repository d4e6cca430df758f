import { loadConfig } from '../config';
import type { ClarificationsHandlerDeps } from '../handlers/clarifications';
import { eventBridgePublisher } from './events';
import { auditSigner, orderRepository } from './stores';
import { systemClock } from './system';
import { stepFunctionsWorkflow } from './workflow';

/** The table and audit key, Step Functions to wake the waiting execution, the bus to announce the answer. */
export function wireClarifications(env: NodeJS.ProcessEnv = process.env): ClarificationsHandlerDeps {
  const config = loadConfig(env, ['stateMachine', 'eventBus', 'agencyClients']);
  return {
    orders: orderRepository(config, auditSigner(config)),
    workflow: stepFunctionsWorkflow(config.stateMachineArn),
    events: eventBridgePublisher(config.eventBusName),
    clock: systemClock,
    agencyClients: config.agencyClients,
  };
}
