import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  platformClarificationBodySchema,
  platformItemPageSchema,
  platformOrderAnswersBodySchema,
  platformOrderListSchema,
  platformOrdersQuerySchema,
  platformOrderViewSchema,
} from './platform-api-schemas';
import { pageQuerySchema, platformResponsesResultSchema } from './schemas';

interface Helpers {
  problems: (...statuses: number[]) => Record<string, ResponseConfig>;
  json: (schema: z.ZodType, description: string) => ResponseConfig;
  agency: (scope: string) => { [name: string]: string[] }[];
}

const WHO =
  "Scope takedown/platform: the platform's own app client (returned once by POST /v1/platforms) or its staff " +
  '(group platform:<platformId>). Any other platform id, and an order addressed to another platform, is a 404.';
const KEY = z.object({
  'Idempotency-Key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe('Optional: a retry with the same key and body gets the first answer'),
});

/** The platform-side API (issue 9): platforms without an integration read and answer with a token. */
export function registerPlatformApiPaths(
  registry: OpenAPIRegistry,
  { problems, json, agency }: Helpers,
): void {
  const security = agency('takedown/platform');
  const PlatformOrder = registry.register('PlatformOrder', platformOrderViewSchema);
  const platformParam = z.object({ platformId: z.string() });
  const orderParams = platformParam.extend({ id: z.string().describe('Order id') });
  registry.registerPath({
    method: 'get',
    path: '/v1/platforms/{platformId}/orders',
    summary: 'The orders addressed to your platform, newest first',
    description: WHO,
    security,
    request: { params: platformParam, query: platformOrdersQuerySchema },
    responses: { '200': json(platformOrderListSchema, 'A page of orders'), ...problems(401, 403, 404, 422) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/platforms/{platformId}/orders/{id}',
    summary: 'One order as your platform sees it: its facts, deadline, statuses and first 100 items',
    description: `${WHO} Carries what the webhooks carry, plus statuses and deadlines; no agency-internal data.`,
    security,
    request: { params: orderParams },
    responses: { '200': json(PlatformOrder, 'The order'), ...problems(401, 403, 404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/platforms/{platformId}/orders/{id}/items',
    summary: "A page of the order's items (up to 1,000 a page, for orders of 10,000)",
    description: WHO,
    security,
    request: { params: orderParams, query: pageQuerySchema },
    responses: { '200': json(platformItemPageSchema, 'A page of items'), ...problems(401, 403, 404, 422) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/platforms/{platformId}/orders/{id}/answers',
    summary: 'Answer items of the order (removed, restricted, rejected with a reason)',
    description: `${WHO} The signed endpoint's \`items\`, with the same rules and results; send large orders in parts of at most 1,000 items.`,
    security,
    request: {
      params: orderParams,
      headers: KEY,
      body: { content: { 'application/json': { schema: platformOrderAnswersBodySchema } } },
    },
    responses: {
      '200': json(platformResponsesResultSchema, 'One result per item'),
      ...problems(400, 401, 403, 404, 409, 413, 422),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/platforms/{platformId}/orders/{id}/clarification-requests',
    summary: 'Ask the agency to clarify the order; the clock stops until you receive the answer',
    description: WHO,
    security,
    request: {
      params: orderParams,
      headers: KEY,
      body: { content: { 'application/json': { schema: platformClarificationBodySchema } } },
    },
    responses: {
      '200': json(platformResponsesResultSchema, 'The open clarification request'),
      ...problems(400, 401, 403, 404, 409, 422),
    },
  });
}
