import { loadConfig } from '../config';
import { NotFoundError } from '../domain/errors';
import { apiHandler, pathParam } from '../http/api-handler';
import { callerOf } from '../http/auth';
import { json, validate } from '../http/middleware';
import { personalDataErasureBodySchema, registerPlatformBodySchema } from '../http/schemas';
import { eraseAuditPersonalData } from '../use-cases/erase-audit-personal-data';
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
  if (method === 'POST' && resource.endsWith('/personal-data-erasure')) {
    const body = validate(personalDataErasureBodySchema, event.jsonBody);
    return json(
      200,
      await eraseAuditPersonalData(deps, {
        orderId: pathParam(event, 'id'),
        operatorId,
        requestReference: body.requestReference,
      }),
    );
  }
  if (method === 'GET' && resource === '/v1/platforms') return json(200, await listPlatforms(deps));
  if (method === 'POST' && resource === '/v1/platforms') {
    const body = validate(registerPlatformBodySchema, event.jsonBody);
    return json(201, await registerPlatform(deps, body), { 'cache-control': 'no-store' });
  }
  throw new NotFoundError('no such route');
});
