import { loadConfig } from '../config';
import type { WorkflowStepHandlerDeps } from '../handlers/workflow-step';
import { eventBridgePublisher } from './events';
import { auditSigner, orderRepository } from './stores';
import { systemClock } from './system';

/** The table and audit key, and the bus for escalations and final statuses. */
export function wireWorkflowStep(env: NodeJS.ProcessEnv = process.env): WorkflowStepHandlerDeps {
  const config = loadConfig(env, ['eventBus']);
  return {
    orders: orderRepository(config, auditSigner(config)),
    events: eventBridgePublisher(config),
    clock: systemClock,
  };
}
