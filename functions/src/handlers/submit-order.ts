import { loadConfig } from '../config';
import { apiHandler } from '../http/api-handler';
import { agencyOf, callerOf } from '../http/auth';
import { MissingIdempotencyKeyError } from '../http/errors';
import { header, json, validate } from '../http/middleware';
import { submitOrderBodySchema } from '../http/schemas';
import { submitOrder } from '../use-cases/submit-order';
import { buildDeps } from '../wiring';

const config = loadConfig(process.env, ['stateMachine', 'agencyClients']);
const deps = buildDeps(config);

export const handler = apiHandler(async (event) => {
  const agencyId = agencyOf(callerOf(event, 'takedown/write'), config.agencyClients);
  const idempotencyKey = header(event, 'idempotency-key')?.trim() ?? '';
  if (idempotencyKey === '' || idempotencyKey.length > 255) {
    throw new MissingIdempotencyKeyError('the Idempotency-Key header (1 to 255 characters) is required');
  }
  const body = validate(submitOrderBodySchema, event.jsonBody);
  const response = await submitOrder(deps, { agencyId, idempotencyKey, rawBody: event.jsonBody, body });
  const location = (response.body as { id?: string }).id;
  return json(
    response.statusCode,
    response.body,
    location ? { location: `/v1/takedown-requests/${location}` } : {},
  );
});
