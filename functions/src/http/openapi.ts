import './extend-zod-openapi';
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { executionQuerySchema, executionViewSchema } from './execution-schemas';
import { registerPlatformApiPaths } from './openapi-platform';
import { registerReportPaths } from './openapi-reports';
import { registerSubscriptionPaths } from './openapi-subscriptions';
import {
  platformSecretsViewSchema,
  platformViewSchema,
  registeredPlatformSchema,
} from './platform-view-schemas';
import {
  auditPageSchema,
  clarificationAnswerBodySchema,
  itemPageSchema,
  listOrdersQuerySchema,
  orderListSchema,
  orderViewSchema,
  pageQuerySchema,
  personalDataErasureBodySchema,
  personalDataErasureResultSchema,
  platformResponsesBodySchema,
  platformResponsesResultSchema,
  problemSchema,
  registerPlatformBodySchema,
  reviewBodySchema,
  submitOrderBodySchema,
  submittedOrderSchema,
  withdrawalBodySchema,
} from './schemas';
import { createPlatformUserBodySchema, platformUserSchema } from './staff-schemas';

// Only the generator script and its test import this file, so the handlers' bundles stay free of the generator.

/** Builds the OpenAPI document from the same zod schemas the handlers validate with. Used by `npm run openapi`. */
export function buildOpenApiDocument() {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'cognito', {
    type: 'oauth2',
    description: 'OAuth2 client credentials (Cognito user pool with resource server `takedown`).',
    flows: {
      clientCredentials: {
        tokenUrl: 'https://<cognito-domain>/oauth2/token',
        scopes: {
          'takedown/read': 'Read own orders',
          'takedown/write': 'Submit, withdraw and review own orders',
          'takedown/admin': 'Operate platforms and redeliveries',
          'takedown/platform': 'A platform reads and answers the orders addressed to it',
        },
      },
    },
  });
  const Problem = registry.register('Problem', problemSchema);
  const Order = registry.register('Order', orderViewSchema);
  const problems = (...statuses: number[]) =>
    Object.fromEntries(
      statuses.map((status) => [
        String(status),
        {
          description: 'Problem document (RFC 9457)',
          content: { 'application/problem+json': { schema: Problem } },
        },
      ]),
    );
  const json = (schema: z.ZodType, description: string) => ({
    description,
    content: { 'application/json': { schema } },
  });
  const idParam = z.object({ id: z.string().describe('Order id') });
  const platformParam = z.object({ platformId: z.string() });
  const agency = (scope: string) => [{ [bearer.name]: [scope] }];

  registry.registerPath({
    method: 'post',
    path: '/v1/takedown-requests',
    summary: 'Submit a takedown order',
    security: agency('takedown/write'),
    request: {
      headers: z.object({ 'Idempotency-Key': z.string().min(1).max(255) }),
      body: {
        content: { 'application/json': { schema: registry.register('SubmitOrder', submitOrderBodySchema) } },
      },
    },
    responses: {
      '201': json(
        registry.register('SubmittedOrder', submittedOrderSchema),
        'The order, with its first page of items and every duplicate item (422 instead under ' +
          '`duplicateLocators: reject`, naming each as `items[i].locator`)',
      ),
      '202': json(
        submittedOrderSchema,
        'A large order (more items than the asyncIntakeItems threshold, 1,000 by default), accepted: status ' +
          '`accepting`, no items yet; they are written in the background (`itemsAccepted` grows on GET) and the ' +
          'order moves to `notifying` once all are in; `duplicates` is empty (each item shows its own). A retry ' +
          'with the same Idempotency-Key answers this again.',
      ),
      ...problems(400, 401, 403, 409, 413, 422, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/takedown-requests',
    summary: 'List own orders, newest first',
    security: agency('takedown/read'),
    request: { query: listOrdersQuerySchema },
    responses: { '200': json(orderListSchema, 'A page of orders'), ...problems(400, 401, 403, 422) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/takedown-requests/{id}',
    summary: 'One order with items, stage history, deadlines and delivery attempts',
    security: agency('takedown/read'),
    request: { params: idParam },
    responses: { '200': json(Order, 'The order'), ...problems(401, 403, 404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/takedown-requests/{id}/items',
    summary: 'Page through the items of an order',
    security: agency('takedown/read'),
    request: { params: idParam, query: pageQuerySchema },
    responses: { '200': json(itemPageSchema, 'A page of items'), ...problems(400, 401, 403, 404, 422) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/takedown-requests/{id}/audit',
    summary: 'The append-only audit trail of an order',
    security: agency('takedown/read'),
    request: { params: idParam, query: pageQuerySchema },
    responses: {
      '200': json(auditPageSchema, 'A page of audit events'),
      ...problems(400, 401, 403, 404, 422),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/takedown-requests/{id}/withdrawal',
    summary: 'Withdraw an order (the platform is told)',
    security: agency('takedown/write'),
    request: { params: idParam, body: { content: { 'application/json': { schema: withdrawalBodySchema } } } },
    responses: { '200': json(Order, 'The withdrawn order'), ...problems(400, 401, 403, 404, 409, 413, 422) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/takedown-requests/{id}/review',
    summary: 'Decide on items the platform rejected (uphold or withdraw)',
    security: agency('takedown/write'),
    request: { params: idParam, body: { content: { 'application/json': { schema: reviewBodySchema } } } },
    responses: {
      '200': json(
        z.object({
          results: z.array(
            z.object({ itemId: z.string(), result: z.enum(['applied', 'not_disputed', 'not_found']) }),
          ),
          order: Order,
        }),
        'Result per item and the order',
      ),
      ...problems(400, 401, 403, 404, 409, 413, 422),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/platforms/{platformId}/responses',
    summary: "A platform's answers, signed with its responseSecret (Standard Webhooks)",
    request: {
      params: platformParam,
      headers: z.object({
        'webhook-id': z.string(),
        'webhook-timestamp': z.string(),
        'webhook-signature': z.string(),
      }),
      body: {
        content: {
          'application/json': { schema: registry.register('PlatformResponses', platformResponsesBodySchema) },
        },
      },
    },
    responses: {
      '200': json(platformResponsesResultSchema, 'Result per item'),
      ...problems(400, 401, 404, 409, 413, 422),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/platforms',
    summary: 'Register a platform; both secrets and its app client secret are shown this once',
    security: agency('takedown/admin'),
    request: { body: { content: { 'application/json': { schema: registerPlatformBodySchema } } } },
    responses: {
      '201': json(registeredPlatformSchema, 'The platform, its secrets and its app client'),
      ...problems(400, 401, 403, 409, 413, 422),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/platforms',
    summary: 'List platforms (no secrets)',
    security: agency('takedown/admin'),
    responses: {
      '200': json(z.object({ items: z.array(platformViewSchema) }), 'Platforms'),
      ...problems(401, 403),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/platforms/{platformId}',
    summary: 'One platform (no secrets), with its delivery health',
    security: agency('takedown/admin'),
    request: { params: platformParam },
    responses: { '200': json(platformViewSchema, 'The platform'), ...problems(401, 403, 404) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/platforms/{platformId}/secret-rotation',
    summary: 'New secrets; the old ones stay valid for 24 hours',
    security: agency('takedown/admin'),
    request: { params: platformParam },
    responses: { '200': json(platformSecretsViewSchema, 'The new secrets'), ...problems(401, 403, 404) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/platforms/{platformId}/users',
    summary: 'Create a staff user of a platform, in its group; the temporary password is shown this once',
    description:
      'Operators only. The person signs in to the console with it, sets their own password and enrols TOTP; ' +
      'they see only orders addressed to this platform. An unknown platform is a 404, a taken username a 409.',
    security: agency('takedown/admin'),
    request: {
      params: platformParam,
      body: { content: { 'application/json': { schema: createPlatformUserBodySchema } } },
    },
    responses: {
      '201': json(platformUserSchema, 'The user and their temporary password'),
      ...problems(400, 401, 403, 404, 409, 422),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/takedown-requests/{id}/redelivery',
    summary: "Retry an undeliverable order's notification",
    security: agency('takedown/admin'),
    request: { params: idParam },
    responses: {
      '202': json(z.object({ id: z.string(), status: z.string() }), 'Redelivery started'),
      ...problems(401, 403, 404, 409),
    },
  });

  registry.registerPath({
    method: 'post',
    path: '/v1/takedown-requests/{id}/personal-data-erasure',
    summary: "Erase a finished order's personal data on a lawful request",
    description:
      'Removes officer names, notes and free-text reasons from every audit event of the order (their salted ' +
      "digests stay, so the hash chain still verifies), blanks the order's officer, reason and withdrawal reason " +
      "and every item's locator and note (null, with `personalDataErasedAt`); ids, statuses, outcomes, deadlines " +
      'and counts stay. Only for orders in a final status (409 otherwise: an order still being enforced needs ' +
      'its locators). The erasure is recorded as one audit event; a repeated request changes nothing and ' +
      'answers what the first one did.',
    security: agency('takedown/admin'),
    request: {
      params: idParam,
      body: { content: { 'application/json': { schema: personalDataErasureBodySchema } } },
    },
    responses: {
      '200': json(personalDataErasureResultSchema, 'Personal data erased'),
      ...problems(400, 401, 403, 404, 409, 422),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/takedown-requests/{id}/execution',
    summary: "The order's Step Functions execution: definition, states and event history (operators)",
    description:
      'DescribeExecution, DescribeStateMachineForExecution and a page of GetExecutionHistory (oldest first) of the ' +
      'execution named after the order. 404 for an unknown order, and for one whose execution has not started ' +
      '(an order still `accepting` its items).',
    security: agency('takedown/admin'),
    request: { params: idParam, query: executionQuerySchema },
    responses: {
      '200': json(registry.register('Execution', executionViewSchema), 'The execution'),
      ...problems(400, 401, 403, 404, 422),
    },
  });

  registry.registerPath({
    method: 'post',
    path: '/v1/takedown-requests/{id}/clarifications',
    summary: "Answer the platform's open clarification request",
    description:
      'The answer goes to the platform (takedown.clarified); its receipt restarts the clock for the full time of ' +
      'the current stage. 409 when no clarification request is open.',
    security: agency('takedown/write'),
    request: {
      params: idParam,
      body: { content: { 'application/json': { schema: clarificationAnswerBodySchema } } },
    },
    responses: { '200': json(Order, 'The order'), ...problems(400, 401, 403, 404, 409, 422) },
  });

  registerReportPaths(registry, { problems, json, security: agency('takedown/read') });
  registerSubscriptionPaths(registry, { problems, json, agency });
  registerPlatformApiPaths(registry, { problems, json, agency });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Tenggat API',
      version: '1.0.0',
      description:
        'Takedown orders from agencies to platforms, held to the legal deadline. Generated from the zod schemas.',
    },
    servers: [{ url: 'https://api.tenggat.example' }],
  });
}

export function openApiJson(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}
