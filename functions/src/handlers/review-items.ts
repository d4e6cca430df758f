import { loadConfig } from '../config';
import { apiHandler, pathParam } from '../http/api-handler';
import { agencyOf, callerOf } from '../http/auth';
import { json, validate } from '../http/middleware';
import { reviewBodySchema } from '../http/schemas';
import { reviewItems } from '../use-cases/review-items';
import { buildDeps } from '../wiring';

const config = loadConfig(process.env, ['stateMachine', 'agencyClients']);
const deps = buildDeps(config);

export const handler = apiHandler(async (event) => {
  const agencyId = agencyOf(callerOf(event, 'takedown/write'), config.agencyClients);
  const body = validate(reviewBodySchema, event.jsonBody);
  const result = await reviewItems(deps, {
    agencyId,
    orderId: pathParam(event, 'id'),
    itemIds: body.itemIds,
    decision: body.decision,
    note: body.note,
    officer: body.officer ?? null,
  });
  return json(200, result);
});
