/** The API's shapes, straight from its zod schemas (type-only imports: nothing of them reaches the bundle). */

import type { ExecutionViewBody } from '../../functions/src/http/execution-schemas';
import type {
  PlatformSecretsViewBody,
  PlatformViewBody,
} from '../../functions/src/http/platform-view-schemas';
import type {
  AuditPageBody,
  ItemPageBody,
  OrderListBody,
  OrderViewBody,
  SubmittedOrderBody,
} from '../../functions/src/http/schemas';

export type OrderView = OrderViewBody;
export type OrderList = OrderListBody;
export type OrderSummary = OrderListBody['items'][number];
export type ItemPage = ItemPageBody;
export type ItemView = ItemPageBody['items'][number];
export type AuditPage = AuditPageBody;
export type PlatformView = PlatformViewBody;
export type PlatformSecrets = PlatformSecretsViewBody;
export type SubmittedOrder = SubmittedOrderBody;

/** `GET /v1/takedown-requests/{id}/execution` (operators). */
export type ExecutionView = ExecutionViewBody;

// Values from the domain's own lists (pure modules), so filters and forms never drift from the API.
export { ITEM_OUTCOMES, ORDER_STATUSES, STAGES } from '../../functions/src/domain/order-rules';

// The policy module builds zod schemas at load: the categories are listed here, checked against its type (a
// category added or removed there fails the type check here).
const CATEGORY_SET: Record<import('../../functions/src/domain/policy').Category, true> = {
  csam: true,
  terrorism: true,
  public_order: true,
  illegal_drugs_food_cosmetics: true,
  pornography: true,
  prostitution: true,
  gambling: true,
  fraud: true,
  illegal_lending: true,
  hoax: true,
  other: true,
};
export const CATEGORIES = Object.keys(CATEGORY_SET);
