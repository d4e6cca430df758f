import { apiHandler, pathParam } from '../http/api-handler';
import { type AgencyDirectory, agencyOf, callerOf } from '../http/auth';
import { json, validate } from '../http/middleware';
import type { Route } from '../http/router';
import { type OrderViewBody, reviewBodySchema } from '../http/schemas';
import { type ReviewItemsDeps, reviewItems } from '../use-cases/review-items';
import { wireReviewItems } from '../wiring/wire-review-items';

export type ReviewItemsHandlerDeps = ReviewItemsDeps & AgencyDirectory;

export const routes: readonly Route<ReviewItemsHandlerDeps>[] = [
  {
    method: 'POST',
    resource: '/v1/takedown-requests/{id}/review',
    handler: async (event, deps) => {
      const agencyId = agencyOf(callerOf(event, 'takedown/write'), deps.agencyClients);
      const body = validate(reviewBodySchema, event.jsonBody);
      const result = await reviewItems(deps, {
        agencyId,
        orderId: pathParam(event, 'id'),
        itemIds: body.itemIds,
        decision: body.decision,
        note: body.note,
        officer: body.officer ?? null,
      });
      return json<{ results: unknown[]; order: OrderViewBody }>(200, result);
    },
  },
];

export const makeHandler = (deps: ReviewItemsHandlerDeps) => apiHandler(routes, deps);

export const handler = makeHandler(wireReviewItems());
