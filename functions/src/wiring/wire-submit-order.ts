import { loadConfig } from '../config';
import type { SubmitOrderHandlerDeps } from '../handlers/submit-order';
import { intakeBodies } from './intake-bodies';
import { intakeStarter } from './intake-starter';
import { auditSigner, idempotencyStore, orderRepository, platformRepository } from './stores';
import { randomIds, systemClock } from './system';
import { stepFunctionsWorkflow } from './workflow';

/**
 * The table (orders, platforms, agency idempotency keys), the audit key, Step Functions to start the order; for large
 * orders the intake bucket (write) and the intake function (asynchronous invoke).
 */
export function wireSubmitOrder(env: NodeJS.ProcessEnv = process.env): SubmitOrderHandlerDeps {
  const config = loadConfig(env, ['stateMachine', 'agencyClients', 'intakeBucket', 'intakeFunction']);
  return {
    orders: orderRepository(config, auditSigner(config)),
    platforms: platformRepository(config),
    idempotency: idempotencyStore(config, 'IDEMPOTENCY'),
    workflow: stepFunctionsWorkflow(config.stateMachineArn),
    clock: systemClock,
    ids: randomIds,
    policy: config.policy,
    agencyClients: config.agencyClients,
    asyncIntakeItems: config.asyncIntakeItems,
    intakeBodies: intakeBodies(config.intakeBucket),
    intake: intakeStarter(config.intakeFunctionName),
  };
}
