import { loadConfig } from '../config';
import type { AgencyDirectory } from '../http/auth';
import type { Deps } from '../use-cases/deps';
import { eventBridgePublisher } from './events';
import { auditSigner, orderRepository } from './stores';
import { systemClock } from './system';
import { stepFunctionsWorkflow } from './workflow';

/** What an agency's change to its order needs: the table and audit key, Step Functions to wake the wait, the bus. */
export type AgencyOrderChangeDeps = Pick<Deps, 'orders' | 'workflow' | 'events' | 'clock'> & AgencyDirectory;

/** The one composition of the agency functions that change an order (withdraw, review, clarifications). */
export function wireAgencyOrderChange(env: NodeJS.ProcessEnv): AgencyOrderChangeDeps {
  const config = loadConfig(env, ['stateMachine', 'eventBus', 'agencyClients']);
  return {
    orders: orderRepository(config, auditSigner(config)),
    workflow: stepFunctionsWorkflow(config.stateMachineArn),
    events: eventBridgePublisher(config),
    clock: systemClock,
    agencyClients: config.agencyClients,
  };
}
