import { loadConfig } from '../config';
import { NotFoundError } from '../domain/errors';
import { apiHandler, pathParam } from '../http/api-handler';
import { agencyOf, callerOf } from '../http/auth';
import { json, validate } from '../http/middleware';
import { listOrdersQuerySchema, pageQuerySchema } from '../http/schemas';
import { getAudit, getOrder, listItems, listOrders } from '../use-cases/read-orders';
import { buildDeps } from '../wiring';

const config = loadConfig(process.env, ['agencyClients']);
const deps = buildDeps(config);

export const handler = apiHandler(async (event) => {
  const agencyId = agencyOf(callerOf(event, 'takedown/read'), config.agencyClients);
  const query = event.queryStringParameters ?? {};
  const orderId = event.pathParameters?.id === undefined ? '' : pathParam(event, 'id');
  const resource = event.resource ?? '';
  if (resource.endsWith('/items')) {
    const page = validate(pageQuerySchema, query);
    return json(
      200,
      await listItems(deps, { agencyId, orderId, limit: page.limit, cursor: page.cursor ?? null }),
    );
  }
  if (resource.endsWith('/audit')) {
    const page = validate(pageQuerySchema, query);
    return json(
      200,
      await getAudit(deps, { agencyId, orderId, limit: page.limit, cursor: page.cursor ?? null }),
    );
  }
  if (orderId !== '') return json(200, await getOrder(deps, { agencyId, orderId }));
  if (resource !== '' && resource !== '/v1/takedown-requests') throw new NotFoundError('no such route');
  const filter = validate(listOrdersQuerySchema, query);
  return json(
    200,
    await listOrders(deps, {
      agencyId,
      status: filter.status ?? null,
      platformId: filter.platformId ?? null,
      limit: filter.limit,
      cursor: filter.cursor ?? null,
    }),
  );
});
