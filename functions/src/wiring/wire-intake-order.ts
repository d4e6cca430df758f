import { ConfigurationError, loadConfig } from '../config';
import type { IntakeOrderHandlerDeps } from '../handlers/intake-order';
import { intakeBodies } from './intake-bodies';
import { intakeStarter } from './intake-starter';
import { auditSigner, openLocatorIndex, orderRepository } from './stores';
import { systemClock } from './system';
import { stepFunctionsWorkflow } from './workflow';

/** The table (and its open-locators index), the kept bodies (read), itself (to go on with the next slices), Step Functions to start the order. */
export function wireIntakeOrder(env: NodeJS.ProcessEnv = process.env): IntakeOrderHandlerDeps {
  const config = loadConfig(env, ['stateMachine', 'intakeBucket']);
  // Its own name, as Lambda sets it: the template cannot hand a function its own name without a cycle.
  const self = env.AWS_LAMBDA_FUNCTION_NAME;
  if (self === undefined || self === '') throw new ConfigurationError('AWS_LAMBDA_FUNCTION_NAME is required');
  return {
    orders: orderRepository(config, auditSigner(config)),
    openLocators: openLocatorIndex(config),
    intakeBodies: intakeBodies(config.intakeBucket),
    intake: intakeStarter(self),
    workflow: stepFunctionsWorkflow(config.stateMachineArn),
    clock: systemClock,
  };
}
