import { cachedPlatforms } from '../adapters/cached-platforms';
import { loadConfig } from '../config';
import type { SubmitOrderHandlerDeps } from '../handlers/submit-order';
import { intakeBodies } from './intake-bodies';
import { intakeStarter } from './intake-starter';
import {
  auditSigner,
  idempotencyStore,
  openLocatorIndex,
  orderRepository,
  platformRepository,
} from './stores';
import { randomIds, systemClock } from './system';
import { stepFunctionsWorkflow } from './workflow';

/** Submit checks the platform exists on every order; a registered one is remembered this long per container. */
const PLATFORM_CACHE_MS = 60_000;

/**
 * The table (orders, the open-locators index, platforms, agency idempotency keys), the audit key, Step Functions to
 * start the order; for large orders the intake bucket (write) and the intake function (asynchronous invoke).
 */
export function wireSubmitOrder(env: NodeJS.ProcessEnv = process.env): SubmitOrderHandlerDeps {
  const config = loadConfig(env, ['stateMachine', 'agencyClients', 'intakeBucket', 'intakeFunction']);
  return {
    orders: orderRepository(config, auditSigner(config)),
    openLocators: openLocatorIndex(config),
    platforms: cachedPlatforms(platformRepository(config), PLATFORM_CACHE_MS),
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
