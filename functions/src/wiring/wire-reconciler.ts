import { loadConfig } from '../config';
import type { ReconcilerHandlerDeps } from '../handlers/reconcile-executions';
import { eventBridgePublisher } from './events';
import { intakeStarter } from './intake-starter';
import { auditSigner, orderRepository } from './stores';
import { systemClock } from './system';
import { stepFunctionsWorkflow } from './workflow';

/**
 * The table (open-orders index) and audit key, Step Functions to inspect and recover, the bus to announce it, and the
 * intake function to resume a stalled intake.
 */
export function wireReconciler(env: NodeJS.ProcessEnv = process.env): ReconcilerHandlerDeps {
  const config = loadConfig(env, ['stateMachine', 'eventBus', 'intakeFunction']);
  return {
    orders: orderRepository(config, auditSigner(config)),
    workflow: stepFunctionsWorkflow(config.stateMachineArn),
    events: eventBridgePublisher(config),
    clock: systemClock,
    intake: intakeStarter(config.intakeFunctionName),
  };
}
