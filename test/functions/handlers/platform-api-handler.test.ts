import type { APIGatewayProxyResult } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { groupsOf } from '../../../functions/src/http/platform-auth';
import type { TestWorld } from '../fakes';
import { deliveredOrder } from '../lifecycle-helpers';
import { apiEvent, lambdaContext, OPERATOR_CLIENT, setFunctionEnv } from './api-event';

type Handler = (event: unknown, context: typeof lambdaContext) => Promise<unknown>;
let makeApi: (deps: TestWorld['deps']) => Handler;

beforeAll(async () => {
  setFunctionEnv();
  makeApi = (await import('../../../functions/src/handlers/platform-api'))
    .makeHandler as unknown as typeof makeApi;
});

const MICHAT_CLIENT = 'client-michat-scripts';
const PLATFORM_SCOPE = 'takedown/platform';

interface Call {
  method?: 'GET' | 'POST';
  resource: string;
  orderId?: string;
  platformId?: string;
  body?: unknown;
  clientId?: string;
  scope?: string;
  groups?: string;
  headers?: Record<string, string>;
}

async function call(world: TestWorld, input: Call) {
  const event = apiEvent({
    method: input.method ?? 'GET',
    resource: input.resource,
    pathParameters: {
      platformId: input.platformId ?? 'michat',
      ...(input.orderId ? { id: input.orderId } : {}),
    },
    body: input.body === undefined ? null : JSON.stringify(input.body),
    clientId: input.clientId ?? MICHAT_CLIENT,
    scope: input.scope ?? PLATFORM_SCOPE,
    headers: input.headers,
  });
  if (input.groups !== undefined) {
    const claims = event.requestContext.authorizer?.claims as Record<string, string>;
    claims['cognito:groups'] = input.groups;
  }
  const response = (await makeApi(world.deps)(event, lambdaContext)) as APIGatewayProxyResult;
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
}

/** A served order to michat, whose scripts hold the app client MICHAT_CLIENT. */
async function michatOrder() {
  const delivered = await deliveredOrder();
  await delivered.world.platforms.update('michat', { machineClientIds: [MICHAT_CLIENT] });
  return delivered;
}

const ORDERS = '/v1/platforms/{platformId}/orders';
const ORDER = '/v1/platforms/{platformId}/orders/{id}';
const ANSWERS = '/v1/platforms/{platformId}/orders/{id}/answers';

describe('platform API handler', () => {
  it("the platform's own app client lists and opens its orders", async () => {
    const { world, orderId } = await michatOrder();
    const list = await call(world, { resource: ORDERS });
    expect(list.status).toBe(200);
    expect((list.body.items as { id: string }[]).map((order) => order.id)).toEqual([orderId]);
    const order = await call(world, { resource: ORDER, orderId });
    expect(order).toMatchObject({ status: 200, body: { id: orderId, itemCounts: { total: 3 } } });
    const items = await call(world, { resource: `${ORDER}/items`, orderId });
    expect((items.body.items as unknown[]).length).toBe(3);
  });

  it('staff in the group platform:<id> act for it, whichever way API Gateway printed the groups', async () => {
    const { world, orderId } = await michatOrder();
    for (const groups of [
      '["operator","platform:michat"]',
      '[platform:michat agency:x]',
      'platform:michat',
    ]) {
      const order = await call(world, { resource: ORDER, orderId, clientId: 'console-client', groups });
      expect(order.status).toBe(200);
    }
    const other = await call(world, {
      resource: ORDER,
      orderId,
      clientId: 'console-client',
      groups: '[platform:mich]',
    });
    expect(other.status).toBe(404);
  });

  it("another platform's token gets 404 for the order and the list, never 403", async () => {
    const { world, orderId } = await michatOrder();
    await world.platforms.create({
      platformId: 'other',
      name: 'Other',
      webhookUrl: 'https://hooks.other.example/t',
      contactEmail: 'legal@other.example',
      status: 'active',
      createdAt: new Date().toISOString(),
      secretsRotatedAt: null,
      disabledAt: null,
      machineClientIds: ['client-other'],
    });
    // Its own client on michat's path, and michat's order on its own path.
    expect((await call(world, { resource: ORDERS, clientId: 'client-other' })).status).toBe(404);
    expect((await call(world, { resource: ORDER, orderId, clientId: 'client-other' })).status).toBe(404);
    const crossed = await call(world, {
      resource: ORDER,
      orderId,
      platformId: 'other',
      clientId: 'client-other',
    });
    expect(crossed).toMatchObject({ status: 404, body: { title: expect.any(String) } });
    const answered = await call(world, {
      method: 'POST',
      resource: ANSWERS,
      orderId,
      platformId: 'other',
      clientId: 'client-other',
      body: { items: [{ itemId: 'x', outcome: 'removed' }] },
    });
    expect(answered.status).toBe(404);
  });

  it('a token without takedown/platform is refused with 403, an operator included', async () => {
    const { world, orderId } = await michatOrder();
    const agency = await call(world, { resource: ORDER, orderId, scope: 'takedown/read takedown/write' });
    expect(agency.status).toBe(403);
    const operator = await call(world, {
      resource: ORDER,
      orderId,
      clientId: OPERATOR_CLIENT,
      scope: 'takedown/admin takedown/read',
    });
    expect(operator.status).toBe(403);
  });

  it('an invalid answer body is a 422 problem naming the field; a valid one answers per item', async () => {
    const { world, orderId } = await michatOrder();
    const invalid = await call(world, {
      method: 'POST',
      resource: ANSWERS,
      orderId,
      body: { items: [{ itemId: 'x', outcome: 'rejected' }] },
    });
    expect(invalid.status).toBe(422);
    expect(JSON.stringify(invalid.body.errors)).toContain('reason');
    const withOrderId = await call(world, {
      method: 'POST',
      resource: ANSWERS,
      orderId,
      body: { takedownRequestId: orderId, items: [{ itemId: 'x', outcome: 'removed' }] },
    });
    expect(withOrderId.status).toBe(422);
    const items = (await call(world, { resource: `${ORDER}/items`, orderId })).body.items as { id: string }[];
    const valid = await call(world, {
      method: 'POST',
      resource: ANSWERS,
      orderId,
      headers: { 'Idempotency-Key': 'answer-1' },
      body: { items: [{ itemId: items[0]?.id, outcome: 'removed' }] },
    });
    expect(valid).toMatchObject({
      status: 200,
      body: { takedownRequestId: orderId, results: [{ itemId: items[0]?.id, result: 'applied' }] },
    });
    // The retry with the same key gets the first answer, not `already_final`; a key too long is a 400 problem.
    const retried = await call(world, {
      method: 'POST',
      resource: ANSWERS,
      orderId,
      headers: { 'Idempotency-Key': 'answer-1' },
      body: { items: [{ itemId: items[0]?.id, outcome: 'removed' }] },
    });
    expect(retried.body).toEqual(valid.body);
    const tooLong = await call(world, {
      method: 'POST',
      resource: ANSWERS,
      orderId,
      headers: { 'Idempotency-Key': 'k'.repeat(256) },
      body: { items: [{ itemId: items[0]?.id, outcome: 'removed' }] },
    });
    expect(tooLong.status).toBe(400);
  });

  it('a clarification request answers the open clarification', async () => {
    const { world, orderId } = await michatOrder();
    const asked = await call(world, {
      method: 'POST',
      resource: `${ORDER}/clarification-requests`,
      orderId,
      body: { question: 'Which account is meant by item 2?' },
    });
    expect(asked).toMatchObject({ status: 200, body: { clarification: { seq: 1, answer: null } } });
    const again = await call(world, {
      method: 'POST',
      resource: `${ORDER}/clarification-requests`,
      orderId,
      body: { question: 'And item 3?' },
    });
    expect(again.status).toBe(409);
  });
});

describe('cognito:groups as API Gateway passes it', () => {
  it.each([
    ['["platform:a","operator"]', ['platform:a', 'operator']],
    ['[platform:a operator]', ['platform:a', 'operator']],
    ['platform:a,operator', ['platform:a', 'operator']],
    ['platform:a operator', ['platform:a', 'operator']],
    ['', []],
  ])('%s', (claim, groups) => {
    expect(groupsOf(claim)).toEqual(groups);
  });
  it('a real list, and nothing else', () => {
    expect(groupsOf(['platform:a', 1])).toEqual(['platform:a']);
    expect(groupsOf(undefined)).toEqual([]);
  });
});
