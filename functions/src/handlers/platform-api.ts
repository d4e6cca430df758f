import { apiHandler, pathParam } from '../http/api-handler';
import { BadRequestError } from '../http/errors';
import { type HttpEvent, header, json, validate } from '../http/middleware';
import {
  type PlatformItemPageBody,
  type PlatformOrderListBody,
  type PlatformOrderViewBody,
  platformClarificationBodySchema,
  platformOrderAnswersBodySchema,
  platformOrdersQuerySchema,
} from '../http/platform-api-schemas';
import { actingPlatform } from '../http/platform-auth';
import type { Route } from '../http/router';
import { type PlatformResponsesResultBody, pageQuerySchema } from '../http/schemas';
import type { Deps } from '../use-cases/deps';
import {
  answerPlatformOrder,
  getPlatformOrder,
  listPlatformOrderItems,
  listPlatformOrders,
  type PlatformAnswerDeps,
  type PlatformReadDeps,
  requestPlatformClarification,
} from '../use-cases/platform-orders';
import { wirePlatformApi } from '../wiring/wire-platform-api';

export type PlatformApiHandlerDeps = PlatformReadDeps & PlatformAnswerDeps & Pick<Deps, 'platforms'>;

const MAX_IDEMPOTENCY_KEY = 255;

/** The optional `Idempotency-Key`: a retry with the same key and body gets the first answer. */
function idempotencyKeyOf(event: HttpEvent): string | null {
  const key = header(event, 'idempotency-key')?.trim();
  if (key === undefined || key === '') return null;
  if (key.length > MAX_IDEMPOTENCY_KEY)
    throw new BadRequestError(`the Idempotency-Key header is longer than ${MAX_IDEMPOTENCY_KEY} characters`);
  return key;
}

export const routes: readonly Route<PlatformApiHandlerDeps>[] = [
  {
    method: 'GET',
    resource: '/v1/platforms/{platformId}/orders',
    handler: async (event, deps) => {
      const platformId = await actingPlatform(event, deps, pathParam(event, 'platformId'));
      const query = validate(platformOrdersQuerySchema, event.queryStringParameters ?? {});
      const page = await listPlatformOrders(deps, {
        platformId,
        status: query.status ?? null,
        limit: query.limit,
        cursor: query.cursor ?? null,
      });
      return json<PlatformOrderListBody>(200, page);
    },
  },
  {
    method: 'GET',
    resource: '/v1/platforms/{platformId}/orders/{id}',
    handler: async (event, deps) => {
      const platformId = await actingPlatform(event, deps, pathParam(event, 'platformId'));
      const order = await getPlatformOrder(deps, { platformId, orderId: pathParam(event, 'id') });
      return json<PlatformOrderViewBody>(200, order);
    },
  },
  {
    method: 'GET',
    resource: '/v1/platforms/{platformId}/orders/{id}/items',
    handler: async (event, deps) => {
      const platformId = await actingPlatform(event, deps, pathParam(event, 'platformId'));
      const page = validate(pageQuerySchema, event.queryStringParameters ?? {});
      const items = await listPlatformOrderItems(deps, {
        platformId,
        orderId: pathParam(event, 'id'),
        limit: page.limit,
        cursor: page.cursor ?? null,
      });
      return json<PlatformItemPageBody>(200, items);
    },
  },
  {
    method: 'POST',
    resource: '/v1/platforms/{platformId}/orders/{id}/answers',
    handler: async (event, deps) => {
      const platformId = await actingPlatform(event, deps, pathParam(event, 'platformId'));
      const orderId = pathParam(event, 'id');
      const body = validate(platformOrderAnswersBodySchema, event.jsonBody);
      const result = await answerPlatformOrder(deps, {
        platformId,
        orderId,
        items: body.items,
        idempotencyKey: idempotencyKeyOf(event),
      });
      return json<PlatformResponsesResultBody>(200, result);
    },
  },
  {
    method: 'POST',
    resource: '/v1/platforms/{platformId}/orders/{id}/clarification-requests',
    handler: async (event, deps) => {
      const platformId = await actingPlatform(event, deps, pathParam(event, 'platformId'));
      const orderId = pathParam(event, 'id');
      const body = validate(platformClarificationBodySchema, event.jsonBody);
      const result = await requestPlatformClarification(deps, {
        platformId,
        orderId,
        question: body.question,
        idempotencyKey: idempotencyKeyOf(event),
      });
      return json<PlatformResponsesResultBody>(200, result);
    },
  },
];

export const makeHandler = (deps: PlatformApiHandlerDeps) => apiHandler(routes, deps);

export const handler = makeHandler(wirePlatformApi());
