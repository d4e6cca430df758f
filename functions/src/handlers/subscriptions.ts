import { apiHandler, pathParam } from '../http/api-handler';
import { type AgencyDirectory, agencyOf, callerOf } from '../http/auth';
import { json, validate } from '../http/middleware';
import type { Route } from '../http/router';
import {
  type CreatedSubscriptionBody,
  createSubscriptionBodySchema,
  type SubscriptionListBody,
  type SubscriptionViewBody,
} from '../http/subscription-schemas';
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  listSubscriptions,
  type SubscriptionDeps,
} from '../use-cases/subscriptions';
import { wireSubscriptions } from '../wiring/wire-subscriptions';

export type SubscriptionsHandlerDeps = SubscriptionDeps & AgencyDirectory;

/** An agency's own webhook subscriptions: the agency always comes from the token, never from the request. */
export const routes: readonly Route<SubscriptionsHandlerDeps>[] = [
  {
    method: 'POST',
    resource: '/v1/subscriptions',
    handler: async (event, deps) => {
      const agencyId = agencyOf(callerOf(event, 'takedown/write'), deps.agencyClients);
      const body = validate(createSubscriptionBodySchema, event.jsonBody);
      const created = await createSubscription(deps, { agencyId, url: body.url, events: body.events });
      return json<CreatedSubscriptionBody>(201, created, {
        location: `/v1/subscriptions/${created.subscription.id}`,
        'cache-control': 'no-store',
      });
    },
  },
  {
    method: 'GET',
    resource: '/v1/subscriptions',
    handler: async (event, deps) => {
      const agencyId = agencyOf(callerOf(event, 'takedown/read'), deps.agencyClients);
      return json<SubscriptionListBody>(200, { subscriptions: await listSubscriptions(deps, agencyId) });
    },
  },
  {
    method: 'GET',
    resource: '/v1/subscriptions/{id}',
    handler: async (event, deps) => {
      const agencyId = agencyOf(callerOf(event, 'takedown/read'), deps.agencyClients);
      const subscriptionId = pathParam(event, 'id');
      return json<SubscriptionViewBody>(200, await getSubscription(deps, { agencyId, subscriptionId }));
    },
  },
  {
    method: 'DELETE',
    resource: '/v1/subscriptions/{id}',
    handler: async (event, deps) => {
      const agencyId = agencyOf(callerOf(event, 'takedown/write'), deps.agencyClients);
      await deleteSubscription(deps, { agencyId, subscriptionId: pathParam(event, 'id') });
      return { statusCode: 204, headers: {}, body: '' };
    },
  },
];

export const makeHandler = (deps: SubscriptionsHandlerDeps) => apiHandler(routes, deps);

export const handler = makeHandler(wireSubscriptions());
