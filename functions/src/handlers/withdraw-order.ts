import { loadConfig } from '../config';
import { apiHandler, pathParam } from '../http/api-handler';
import { agencyOf, callerOf } from '../http/auth';
import { json, validate } from '../http/middleware';
import { withdrawalBodySchema } from '../http/schemas';
import { withdrawOrder } from '../use-cases/withdraw-order';
import { buildDeps } from '../wiring';

const config = loadConfig(process.env, ['stateMachine', 'agencyClients']);
const deps = buildDeps(config);

export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'takedown/write');
  const agencyId = agencyOf(caller, config.agencyClients);
  const body = validate(withdrawalBodySchema, event.jsonBody);
  const order = await withdrawOrder(deps, {
    agencyId,
    orderId: pathParam(event, 'id'),
    reason: body.reason,
    officer: body.officer ?? null,
  });
  return json(200, order);
});
