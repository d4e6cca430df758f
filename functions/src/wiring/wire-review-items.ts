import type { ReviewItemsHandlerDeps } from '../handlers/review-items';
import { wireAgencyOrderChange } from './agency-order-change';

/** The table and audit key, Step Functions to wake the waiting execution, the bus to announce the review decision. */
export function wireReviewItems(env: NodeJS.ProcessEnv = process.env): ReviewItemsHandlerDeps {
  return wireAgencyOrderChange(env);
}
