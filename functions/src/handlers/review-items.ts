import { apiHandler, pathParam } from '../http/api-handler';
import { type AgencyDirectory, agencyOf, callerOf, officerOf } from '../http/auth';
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
      const caller = callerOf(event, 'takedown/write');
      const agencyId = agencyOf(caller, deps.agencyClients);
      const body = validate(reviewBodySchema, event.jsonBody);
      const result = await reviewItems(deps, {
        agencyId,
        orderId: pathParam(event, 'id'),
        itemIds: body.itemIds,
        decision: body.decision,
        note: body.note,
        officer: officerOf(caller, body.officer),
      });
      return json<{ results: unknown[]; order: OrderViewBody }>(200, result);
    },
  },
];

export const makeHandler = (deps: ReviewItemsHandlerDeps) => apiHandler(routes, deps);

export const handler = makeHandler(wireReviewItems());
