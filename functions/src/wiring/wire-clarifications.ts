import type { ClarificationsHandlerDeps } from '../handlers/clarifications';
import { wireAgencyOrderChange } from './agency-order-change';

/** The table and audit key, Step Functions to wake the waiting execution, the bus to announce the clarification answer. */
export function wireClarifications(env: NodeJS.ProcessEnv = process.env): ClarificationsHandlerDeps {
  return wireAgencyOrderChange(env);
}
