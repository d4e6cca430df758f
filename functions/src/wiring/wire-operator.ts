import { CognitoStaffDirectory } from '../adapters/cognito-staff-directory';
import { loadConfig } from '../config';
import type { OperatorHandlerDeps } from '../handlers/operator';
import { cognitoIdpClient } from './clients/cognito-idp';
import { platformSecretStore } from './secrets';
import { auditSigner, orderRepository, platformRepository } from './stores';
import { randomIds, resolveHost, systemClock, webhookRulesOf } from './system';
import { stepFunctionsWorkflow } from './workflow';

/**
 * The table (platforms, orders) and audit key, the platforms' secrets to create and rotate, Step Functions to wake
 * a parked order for redelivery, the staff user pool for platform groups and staff users.
 */
export function wireOperator(env: NodeJS.ProcessEnv = process.env): OperatorHandlerDeps {
  const config = loadConfig(env, ['stateMachine', 'staffUserPool']);
  return {
    orders: orderRepository(config, auditSigner(config)),
    platforms: platformRepository(config),
    secrets: platformSecretStore(config),
    workflow: stepFunctionsWorkflow(config.stateMachineArn),
    clock: systemClock,
    ids: randomIds,
    webhookRules: webhookRulesOf(config),
    resolveHost,
    agencyClients: config.agencyClients,
    staff: new CognitoStaffDirectory(cognitoIdpClient, config.staffUserPoolId),
  };
}
