import type { APIGatewayProxyResult } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { countWrites, type TestWorld, testWorld } from '../fakes';
import { registerMichat, submit } from '../lifecycle-helpers';
import { apiEvent, handlersOver, lambdaContext, OPERATOR_CLIENT } from './api-event';

type Handlers = Awaited<ReturnType<typeof handlersOver>>;

interface Route {
  name: string;
  handler: 'submit' | 'withdraw' | 'review' | 'operator' | 'responses';
  method: string;
  resource: string;
  pathParameters?: Record<string, string>;
  headers?: Record<string, string>;
  clientId?: string;
  scope?: string;
  wronglyTyped: unknown;
  unknownField: unknown;
}

const validOrder = {
  platformId: 'michat',
  category: 'gambling',
  legalBasis: ['UU ITE'],
  reason: 'Gambling',
  reference: 'R-1',
  items: [{ kind: 'url', locator: 'https://michat.example/p/1' }],
};

const ROUTES: Route[] = [
  {
    name: 'submit order',
    handler: 'submit',
    method: 'POST',
    resource: '/v1/takedown-requests',
    headers: { 'Idempotency-Key': 'k-1' },
    wronglyTyped: { ...validOrder, items: 'https://michat.example/p/1' },
    unknownField: { ...validOrder, agencyId: 'someone-else' },
  },
  {
    name: 'withdrawal',
    handler: 'withdraw',
    method: 'POST',
    resource: '/v1/takedown-requests/{id}/withdrawal',
    pathParameters: { id: 'order-1' },
    wronglyTyped: { reason: 42 },
    unknownField: { reason: 'lifted', status: 'complied' },
  },
  {
    name: 'review',
    handler: 'review',
    method: 'POST',
    resource: '/v1/takedown-requests/{id}/review',
    pathParameters: { id: 'order-1' },
    wronglyTyped: { itemIds: '000001', decision: 'uphold', note: 'x' },
    unknownField: { itemIds: ['000001'], decision: 'uphold', note: 'x', force: true },
  },
  {
    name: 'register platform',
    handler: 'operator',
    method: 'POST',
    resource: '/v1/platforms',
    clientId: OPERATOR_CLIENT,
    scope: 'takedown/admin',
    wronglyTyped: { id: 'michat', name: 'MiChat', webhookUrl: 12, contactEmail: 'legal@michat.example' },
    unknownField: {
      id: 'michat',
      name: 'MiChat',
      webhookUrl: 'https://hooks.michat.example/',
      contactEmail: 'legal@michat.example',
      responseSecret: 'whsec_mine',
    },
  },
];

let world: TestWorld;
let handlers: Handlers;
let writes: () => number;

beforeEach(async () => {
  world = testWorld();
  // An existing platform and order, so that nothing but the body can be the reason for refusal.
  await registerMichat(world);
  await submit(world);
  handlers = await handlersOver(world);
  writes = countWrites(world);
});

async function send(route: Route, body: string): Promise<APIGatewayProxyResult> {
  return handlers[route.handler](
    apiEvent({
      method: route.method,
      resource: route.resource,
      pathParameters: route.pathParameters,
      headers: route.headers,
      clientId: route.clientId,
      scope: route.scope,
      body,
    }),
    lambdaContext,
  );
}

function problemOf(response: APIGatewayProxyResult) {
  expect(response.headers?.['content-type']).toBe('application/problem+json');
  return JSON.parse(response.body) as {
    type: string;
    status: number;
    errors?: { field: string; message: string }[];
  };
}

describe.each(ROUTES)('$name handler refuses hostile bodies without writing', (route) => {
  it('malformed JSON → 400 malformed-json', async () => {
    const response = await send(route, '{"reason": ');
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).type).toBe('https://tenggat.dev/problems/malformed-json');
    expect(writes()).toBe(0);
  });

  it('a body over 4 MB → 413', async () => {
    const response = await send(route, JSON.stringify({ reason: 'x'.repeat(4 * 1024 * 1024 + 1) }));
    expect(response.statusCode).toBe(413);
    expect(problemOf(response).type).toBe('https://tenggat.dev/problems/payload-too-large');
    expect(writes()).toBe(0);
  });

  it('a wrongly typed field → 422 naming it', async () => {
    const response = await send(route, JSON.stringify(route.wronglyTyped));
    expect(response.statusCode).toBe(422);
    const problem = problemOf(response);
    expect(problem.type).toBe('https://tenggat.dev/problems/validation');
    expect(problem.errors?.length).toBeGreaterThan(0);
    expect(writes()).toBe(0);
  });

  it('an unknown field → 422 naming it', async () => {
    const response = await send(route, JSON.stringify(route.unknownField));
    expect(response.statusCode).toBe(422);
    const problem = problemOf(response);
    expect(problem.errors?.some((error) => error.message === 'is not a known field')).toBe(true);
    expect(writes()).toBe(0);
  });

  it('a JSON value that is not an object (null, array, number) → 422', async () => {
    for (const body of ['null', '[]', '7', '"text"']) {
      const response = await send(route, body);
      expect(response.statusCode, body).toBe(422);
    }
    expect(writes()).toBe(0);
  });
});

describe('the write counter these tests rely on', () => {
  it('sees the writes of a valid request', async () => {
    const route = ROUTES[0];
    if (!route) throw new Error('no route');
    const response = await send(route, JSON.stringify(validOrder));
    expect(response.statusCode, response.body).toBe(201);
    expect(writes()).toBeGreaterThan(0);
  });
});

describe('platform responses handler', () => {
  const route: Route = {
    name: 'platform responses',
    handler: 'responses',
    method: 'POST',
    resource: '/v1/platforms/{platformId}/responses',
    pathParameters: { platformId: 'michat' },
    wronglyTyped: {},
    unknownField: {},
  };

  it('refuses malformed JSON with 400 and oversized bodies with 413', async () => {
    expect((await send(route, '{')).statusCode).toBe(400);
    expect((await send(route, 'x'.repeat(4 * 1024 * 1024 + 1))).statusCode).toBe(413);
    expect(writes()).toBe(0);
  });

  it('refuses an unsigned answer with 401 and writes nothing', async () => {
    const response = await send(
      route,
      JSON.stringify({ takedownRequestId: 'order-1', items: [{ itemId: '1', outcome: 'removed' }] }),
    );
    expect(response.statusCode).toBe(401);
    expect(problemOf(response).type).toBe('https://tenggat.dev/problems/unauthorized');
    expect(writes()).toBe(0);
  });
});

describe('authorization on agency routes', () => {
  it('answers 403 without the write scope and 401 without claims, never touching the table', async () => {
    const route = ROUTES[0];
    if (!route) throw new Error('no route');
    const platformReads = vi.spyOn(world.platforms, 'get');
    const readOnly = await handlers.submit(
      apiEvent({
        method: 'POST',
        resource: route.resource,
        scope: 'takedown/read',
        body: JSON.stringify(validOrder),
      }),
      lambdaContext,
    );
    expect(readOnly.statusCode).toBe(403);
    const anonymous = await handlers.submit(
      apiEvent({
        method: 'POST',
        resource: route.resource,
        clientId: null,
        body: JSON.stringify(validOrder),
      }),
      lambdaContext,
    );
    expect(anonymous.statusCode).toBe(401);
    expect(platformReads).not.toHaveBeenCalled();
    expect(writes()).toBe(0);
  });

  it('answers 400 when the Idempotency-Key header is missing', async () => {
    const response = await handlers.submit(
      apiEvent({ method: 'POST', resource: '/v1/takedown-requests', body: JSON.stringify(validOrder) }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).type).toBe('https://tenggat.dev/problems/missing-idempotency-key');
    expect(writes()).toBe(0);
  });

  it('names duplicate locators in a 422', async () => {
    const body = { ...validOrder, items: [validOrder.items[0], validOrder.items[0]] };
    const response = await handlers.submit(
      apiEvent({
        method: 'POST',
        resource: '/v1/takedown-requests',
        headers: { 'Idempotency-Key': 'k' },
        body: JSON.stringify(body),
      }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(422);
    expect(problemOf(response).errors).toEqual([
      { field: 'items[1].locator', message: 'duplicates items[0].locator' },
    ]);
    expect(writes()).toBe(0);
  });
});
