import { loadConfig } from '../config';
import { apiHandler, pathParam } from '../http/api-handler';
import { header, json } from '../http/middleware';
import { recordPlatformResponses } from '../use-cases/record-platform-responses';
import { buildDeps } from '../wiring';

const config = loadConfig(process.env, ['stateMachine']);
const deps = buildDeps(config);

// No Cognito here: the Standard Webhooks signature with the platform's responseSecret is the authentication.
export const handler = apiHandler(async (event) => {
  const response = await recordPlatformResponses(deps, {
    platformId: pathParam(event, 'platformId'),
    rawBody: event.rawBody,
    headers: {
      'webhook-id': header(event, 'webhook-id') ?? '',
      'webhook-timestamp': header(event, 'webhook-timestamp') ?? '',
      'webhook-signature': header(event, 'webhook-signature') ?? '',
    },
  });
  return json(response.statusCode, response.body);
});
