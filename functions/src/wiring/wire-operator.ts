import { CognitoPlatformClients } from '../adapters/cognito-platform-clients';
import { CognitoStaffDirectory } from '../adapters/cognito-staff-directory';
import { loadConfig } from '../config';
import type { OperatorHandlerDeps } from '../handlers/operator';
import { cognitoIdentityProviderClient } from './clients/cognito-identity-provider';
import { platformSecretStore } from './secrets';
import { auditSigner, orderRepository, platformRepository } from './stores';
import { randomIds, resolveHost, systemClock, webhookRulesOf } from './system';
import { stepFunctionsExecutions, stepFunctionsWorkflow } from './workflow';

/**
 * The table (platforms, orders) and audit key, the platforms' secrets to create and rotate, the machine pool for
 * each platform's app client, the staff pool for platform groups and staff users, Step Functions to wake a parked
 * order for redelivery and to read an order's execution for the console.
 */
export function wireOperator(env: NodeJS.ProcessEnv = process.env): OperatorHandlerDeps {
  const config = loadConfig(env, ['stateMachine', 'machineClients', 'staffUserPool']);
  return {
    orders: orderRepository(config, auditSigner(config)),
    platforms: platformRepository(config),
    platformClients: new CognitoPlatformClients(
      cognitoIdentityProviderClient,
      config.machineUserPoolId,
      config.machineTokenUrl,
    ),
    secrets: platformSecretStore(config),
    workflow: stepFunctionsWorkflow(config.stateMachineArn),
    executions: stepFunctionsExecutions(),
    // The local cloud sets TENGGAT_LOCAL=true: there the AWS console link leads nowhere.
    deployed: env.TENGGAT_LOCAL !== 'true',
    clock: systemClock,
    ids: randomIds,
    webhookRules: webhookRulesOf(config),
    resolveHost,
    agencyClients: config.agencyClients,
    staff: new CognitoStaffDirectory(cognitoIdentityProviderClient, config.staffUserPoolId),
  };
}
