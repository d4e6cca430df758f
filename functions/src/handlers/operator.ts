import { loadConfig } from '../config';
import { NotFoundError } from '../domain/errors';
import { apiHandler, pathParam } from '../http/api-handler';
import { callerOf } from '../http/auth';
import { json, validate } from '../http/middleware';
import { registerPlatformBodySchema } from '../http/schemas';
import { listPlatforms, redeliver, registerPlatform, rotateSecrets } from '../use-cases/operator';
import { buildDeps } from '../wiring';

const config = loadConfig(process.env, ['stateMachine']);
const deps = buildDeps(config);

export const handler = apiHandler(async (event) => {
  const caller = callerOf(event, 'takedown/admin');
  const operatorId = config.agencyClients[caller.clientId] ?? caller.clientId;
  const resource = event.resource ?? '';
  const method = event.httpMethod ?? '';
  if (method === 'POST' && resource.endsWith('/secret-rotation')) {
    return json(200, await rotateSecrets(deps, pathParam(event, 'platformId')));
  }
  if (method === 'POST' && resource.endsWith('/redelivery')) {
    return json(202, await redeliver(deps, { orderId: pathParam(event, 'id'), operatorId }));
  }
  if (method === 'GET' && resource === '/v1/platforms') return json(200, await listPlatforms(deps));
  if (method === 'POST' && resource === '/v1/platforms') {
    const body = validate(registerPlatformBodySchema, event.jsonBody);
    return json(201, await registerPlatform(deps, body), { 'cache-control': 'no-store' });
  }
  throw new NotFoundError('no such route');
});
