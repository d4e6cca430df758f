import { apiHandler, pathParam } from '../http/api-handler';
import { type AgencyDirectory, agencyOf, callerOf } from '../http/auth';
import { json, validate } from '../http/middleware';
import type { Route } from '../http/router';
import { clarificationAnswerBodySchema, type OrderViewBody } from '../http/schemas';
import { answerClarification, type ClarificationDeps } from '../use-cases/clarifications';
import { wireClarifications } from '../wiring/wire-clarifications';

export type ClarificationsHandlerDeps = ClarificationDeps & AgencyDirectory;

export const routes: readonly Route<ClarificationsHandlerDeps>[] = [
  {
    method: 'POST',
    resource: '/v1/takedown-requests/{id}/clarifications',
    handler: async (event, deps) => {
      const agencyId = agencyOf(callerOf(event, 'takedown/write'), deps.agencyClients);
      const body = validate(clarificationAnswerBodySchema, event.jsonBody);
      const order = await answerClarification(deps, {
        agencyId,
        orderId: pathParam(event, 'id'),
        answer: body.answer,
        officer: body.officer ?? null,
      });
      return json<OrderViewBody>(200, order);
    },
  },
];

export const makeHandler = (deps: ClarificationsHandlerDeps) => apiHandler(routes, deps);

export const handler = makeHandler(wireClarifications());
