import { apiHandler, pathParam } from '../http/api-handler';
import { header, json, validate } from '../http/middleware';
import { platformMessageOf } from '../http/platform-message';
import type { Route } from '../http/router';
import { type PlatformResponsesResultBody, platformResponsesBodySchema } from '../http/schemas';
import { logger } from '../observability';
import {
  type RecordPlatformResponsesDeps,
  recordPlatformResponses,
} from '../use-cases/record-platform-responses';
import { wirePlatformResponses } from '../wiring/wire-platform-responses';

export type PlatformResponsesHandlerDeps = RecordPlatformResponsesDeps;

// No Cognito here: the Standard Webhooks signature with the platform's responseSecret is the authentication.
export const routes: readonly Route<PlatformResponsesHandlerDeps>[] = [
  {
    method: 'POST',
    resource: '/v1/platforms/{platformId}/responses',
    handler: async (event, deps) => {
      const result = await recordPlatformResponses(deps, {
        platformId: pathParam(event, 'platformId'),
        rawBody: event.rawBody,
        headers: {
          'webhook-id': header(event, 'webhook-id') ?? '',
          'webhook-timestamp': header(event, 'webhook-timestamp') ?? '',
          'webhook-signature': header(event, 'webhook-signature') ?? '',
        },
        // The body is only read once its signature holds; the JSON was parsed from these very bytes.
        readAnswers: () => {
          const body = validate(platformResponsesBodySchema, event.jsonBody);
          logger.appendKeys({ orderId: body.takedownRequestId });
          return platformMessageOf(body);
        },
      });
      return json<PlatformResponsesResultBody>(200, result);
    },
  },
];

export const makeHandler = (deps: PlatformResponsesHandlerDeps) => apiHandler(routes, deps);

export const handler = makeHandler(wirePlatformResponses());
