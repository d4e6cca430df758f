import { apiHandler, pathParam } from '../http/api-handler';
import { type AgencyDirectory, agencyOf, callerOf, officerOf } from '../http/auth';
import { json, validate } from '../http/middleware';
import type { Route } from '../http/router';
import { type OrderViewBody, withdrawalBodySchema } from '../http/schemas';
import { type WithdrawOrderDeps, withdrawOrder } from '../use-cases/withdraw-order';
import { wireWithdrawOrder } from '../wiring/wire-withdraw-order';

export type WithdrawOrderHandlerDeps = WithdrawOrderDeps & AgencyDirectory;

export const routes: readonly Route<WithdrawOrderHandlerDeps>[] = [
  {
    method: 'POST',
    resource: '/v1/takedown-requests/{id}/withdrawal',
    handler: async (event, deps) => {
      const caller = callerOf(event, 'takedown/write');
      const agencyId = agencyOf(caller, deps.agencyClients);
      const body = validate(withdrawalBodySchema, event.jsonBody);
      const order = await withdrawOrder(deps, {
        agencyId,
        orderId: pathParam(event, 'id'),
        reason: body.reason,
        officer: officerOf(caller, body.officer),
      });
      return json<OrderViewBody>(200, order);
    },
  },
];

export const makeHandler = (deps: WithdrawOrderHandlerDeps) => apiHandler(routes, deps);

export const handler = makeHandler(wireWithdrawOrder());
