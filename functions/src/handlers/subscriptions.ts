import { apiHandler, pathParam } from '../http/api-handler';
import { type AgencyDirectory, agencyOf, callerOf, type Scope } from '../http/auth';
import { ForbiddenError } from '../http/errors';
import { type HttpEvent, json, validate } from '../http/middleware';
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

/**
 * The agency of the token. Operators (`takedown/admin`) have their alerts topic and no subscriptions: a subscription
 * made with an operator client would belong to no agency's orders.
 */
function agencyCaller(event: HttpEvent, scope: Scope, deps: AgencyDirectory): string {
  const caller = callerOf(event, scope);
  if (caller.scopes.includes('takedown/admin'))
    throw new ForbiddenError('subscriptions belong to agencies; operator clients have none');
  return agencyOf(caller, deps.agencyClients);
}

/** An agency's own webhook subscriptions: the agency always comes from the token, never from the request. */
export const routes: readonly Route<SubscriptionsHandlerDeps>[] = [
  {
    method: 'POST',
    resource: '/v1/subscriptions',
    handler: async (event, deps) => {
      const agencyId = agencyCaller(event, 'takedown/write', deps);
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
      const agencyId = agencyCaller(event, 'takedown/read', deps);
      return json<SubscriptionListBody>(200, { subscriptions: await listSubscriptions(deps, agencyId) });
    },
  },
  {
    method: 'GET',
    resource: '/v1/subscriptions/{id}',
    handler: async (event, deps) => {
      const agencyId = agencyCaller(event, 'takedown/read', deps);
      const subscriptionId = pathParam(event, 'id');
      return json<SubscriptionViewBody>(200, await getSubscription(deps, { agencyId, subscriptionId }));
    },
  },
  {
    method: 'DELETE',
    resource: '/v1/subscriptions/{id}',
    handler: async (event, deps) => {
      const agencyId = agencyCaller(event, 'takedown/write', deps);
      await deleteSubscription(deps, { agencyId, subscriptionId: pathParam(event, 'id') });
      return { statusCode: 204, headers: {}, body: '' };
    },
  },
];

export const makeHandler = (deps: SubscriptionsHandlerDeps) => apiHandler(routes, deps);

export const handler = makeHandler(wireSubscriptions());
