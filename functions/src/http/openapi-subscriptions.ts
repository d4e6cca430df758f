import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  createdSubscriptionSchema,
  createSubscriptionBodySchema,
  subscriptionListSchema,
  subscriptionViewSchema,
} from './subscription-schemas';

interface Helpers {
  problems: (...statuses: number[]) => Record<string, ResponseConfig>;
  json: (schema: z.ZodType, description: string) => ResponseConfig;
  agency: (scope: string) => { [name: string]: string[] }[];
}

const WHO =
  "Agency tokens only; an agency sees and changes its own subscriptions (another agency's is a 404).";

/** The agency subscription routes (issue 10 §4): events of the agency's own orders, signed, to its own endpoint. */
export function registerSubscriptionPaths(
  registry: OpenAPIRegistry,
  { problems, json, agency }: Helpers,
): void {
  const Subscription = registry.register('Subscription', subscriptionViewSchema);
  const idParam = z.object({ id: z.string().describe('Subscription id (sub_...)') });
  registry.registerPath({
    method: 'post',
    path: '/v1/subscriptions',
    summary: 'Subscribe an endpoint to the events of your orders; the signing secret is shown this once',
    description: `${WHO} The URL follows the platform webhook URL rules; unknown \`events\` are a 422 naming each; at most 20 subscriptions per agency (409). Events and payloads: docs/webhooks.md.`,
    security: agency('takedown/write'),
    request: { body: { content: { 'application/json': { schema: createSubscriptionBodySchema } } } },
    responses: {
      '201': json(createdSubscriptionSchema, 'The subscription and its secret'),
      ...problems(400, 401, 403, 409, 413, 422),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/subscriptions',
    summary: "Your agency's subscriptions (never their secrets)",
    description: WHO,
    security: agency('takedown/read'),
    responses: { '200': json(subscriptionListSchema, 'The subscriptions'), ...problems(401, 403) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/subscriptions/{id}',
    summary: 'One subscription: its status (`disabled` after a 410 Gone) and last delivery',
    description: WHO,
    security: agency('takedown/read'),
    request: { params: idParam },
    responses: { '200': json(Subscription, 'The subscription'), ...problems(401, 403, 404) },
  });
  registry.registerPath({
    method: 'delete',
    path: '/v1/subscriptions/{id}',
    summary: 'Delete a subscription and its secret; nothing more is sent to it',
    description: WHO,
    security: agency('takedown/write'),
    request: { params: idParam },
    responses: { '204': { description: 'Deleted' }, ...problems(401, 403, 404) },
  });
}
