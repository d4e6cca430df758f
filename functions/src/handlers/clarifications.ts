import { apiHandler, pathParam } from '../http/api-handler';
import { type AgencyDirectory, agencyOf, callerOf, officerOf } from '../http/auth';
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
      const caller = callerOf(event, 'takedown/write');
      const agencyId = agencyOf(caller, deps.agencyClients);
      const body = validate(clarificationAnswerBodySchema, event.jsonBody);
      const order = await answerClarification(deps, {
        agencyId,
        orderId: pathParam(event, 'id'),
        answer: body.answer,
        officer: officerOf(caller, body.officer),
      });
      return json<OrderViewBody>(200, order);
    },
  },
];

export const makeHandler = (deps: ClarificationsHandlerDeps) => apiHandler(routes, deps);

export const handler = makeHandler(wireClarifications());
