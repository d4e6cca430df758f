import { apiHandler } from '../http/api-handler';
import { type AgencyDirectory, agencyOf, callerOf } from '../http/auth';
import { MissingIdempotencyKeyError } from '../http/errors';
import { header, json, validate } from '../http/middleware';
import type { Route } from '../http/router';
import { type SubmittedOrderBody, submitOrderBodySchema } from '../http/schemas';
import { logger } from '../observability';
import { type SubmitOrderDeps, submitOrder } from '../use-cases/submit-order';
import { wireSubmitOrder } from '../wiring/wire-submit-order';

export type SubmitOrderHandlerDeps = SubmitOrderDeps & AgencyDirectory;

export const routes: readonly Route<SubmitOrderHandlerDeps>[] = [
  {
    method: 'POST',
    resource: '/v1/takedown-requests',
    handler: async (event, deps) => {
      const caller = callerOf(event, 'takedown/write');
      const agencyId = agencyOf(caller, deps.agencyClients);
      const idempotencyKey = header(event, 'idempotency-key')?.trim() ?? '';
      if (idempotencyKey === '' || idempotencyKey.length > 255) {
        throw new MissingIdempotencyKeyError('the Idempotency-Key header (1 to 255 characters) is required');
      }
      const body = validate(submitOrderBodySchema, event.jsonBody);
      const order = await submitOrder(deps, {
        agencyId,
        idempotencyKey,
        request: event.jsonBody,
        // A person's orders carry the name they signed in with, whatever the body says.
        order: caller.person ? { ...body, officer: caller.person.username } : body,
      });
      logger.appendKeys({ orderId: order.id });
      // A large order is accepted, its items written in the background: 202, and GET shows the progress.
      const status = order.status === 'accepting' ? 202 : 201;
      return json<SubmittedOrderBody>(status, order, { location: `/v1/takedown-requests/${order.id}` });
    },
  },
];

export const makeHandler = (deps: SubmitOrderHandlerDeps) => apiHandler(routes, deps);

export const handler = makeHandler(wireSubmitOrder());
