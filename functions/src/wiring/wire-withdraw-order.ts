import type { WithdrawOrderHandlerDeps } from '../handlers/withdraw-order';
import { wireAgencyOrderChange } from './agency-order-change';

/** The table and audit key, Step Functions to wake the waiting execution, the bus to announce the withdrawal. */
export function wireWithdrawOrder(env: NodeJS.ProcessEnv = process.env): WithdrawOrderHandlerDeps {
  return wireAgencyOrderChange(env);
}
