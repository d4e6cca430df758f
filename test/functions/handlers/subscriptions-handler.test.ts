import type { APIGatewayProxyResult } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type TestWorld, testWorld } from '../fakes';
import { deliveredOrder } from '../lifecycle-helpers';
import { AGENCY_CLIENTS, apiEvent, lambdaContext, OPERATOR_CLIENT, setFunctionEnv } from './api-event';

type Handler = (event: unknown, context: typeof lambdaContext) => Promise<unknown>;
let makeApi: (deps: TestWorld['deps'] & { agencyClients: typeof AGENCY_CLIENTS }) => Handler;
let makeDelivery: (deps: TestWorld['deps']) => Handler;
let world: TestWorld;

beforeAll(async () => {
  setFunctionEnv();
  makeApi = (await import('../../../functions/src/handlers/subscriptions'))
    .makeHandler as unknown as typeof makeApi;
  makeDelivery = (await import('../../../functions/src/handlers/deliver-subscriptions'))
    .makeHandler as unknown as typeof makeDelivery;
});
beforeEach(() => {
  world = testWorld();
});

const call = async (input: Parameters<typeof apiEvent>[0]) =>
  (await makeApi({ ...world.deps, agencyClients: AGENCY_CLIENTS })(
    apiEvent(input),
    lambdaContext,
  )) as APIGatewayProxyResult;
const bodyOf = (response: APIGatewayProxyResult) => JSON.parse(response.body) as Record<string, unknown>;
const create = (body: unknown, scope?: string) =>
  call({ method: 'POST', resource: '/v1/subscriptions', body: JSON.stringify(body), scope });

describe('subscriptions handler', () => {
  it('answers 201 with the location, the secret once, and never caches it', async () => {
    const response = await create({
      url: 'https://alerts.komdigi.example/hook',
      events: ['takedown.served'],
    });
    expect(response.statusCode).toBe(201);
    const body = bodyOf(response) as { subscription: { id: string }; secret: string };
    expect(response.headers).toMatchObject({
      location: `/v1/subscriptions/${body.subscription.id}`,
      'cache-control': 'no-store',
    });
    expect(body.secret).toMatch(/^whsec_/);
    const read = await call({
      method: 'GET',
      resource: '/v1/subscriptions/{id}',
      pathParameters: { id: body.subscription.id },
    });
    expect(read.statusCode).toBe(200);
    expect(read.body).not.toContain(body.secret);
    const deleted = await call({
      method: 'DELETE',
      resource: '/v1/subscriptions/{id}',
      pathParameters: { id: body.subscription.id },
    });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    const list = await call({ method: 'GET', resource: '/v1/subscriptions' });
    expect(bodyOf(list)).toEqual({ subscriptions: [] });
  });

  it('names each unknown event and a bad URL in a 422 problem, and refuses unknown fields', async () => {
    const unknown = await create({ url: 'https://alerts.komdigi.example/', events: ['takedown.x', 'y'] });
    expect(unknown.statusCode).toBe(422);
    expect(bodyOf(unknown).errors).toEqual([
      { field: 'events', message: 'unknown event "takedown.x"' },
      { field: 'events', message: 'unknown event "y"' },
    ]);
    const extra = await create({ url: 'https://alerts.komdigi.example/', agencyId: 'someone-else' });
    expect(extra.statusCode).toBe(422);
    expect(JSON.stringify(bodyOf(extra).errors)).toContain('agencyId');
    const notUrl = await create({ url: 'not a url' });
    expect(notUrl.statusCode).toBe(422);
    expect(JSON.stringify(bodyOf(notUrl).errors)).toContain('"url"');
  });

  it('needs the write scope to create or delete, and an agency client', async () => {
    expect((await create({ url: 'https://alerts.komdigi.example/' }, 'takedown/read')).statusCode).toBe(403);
    const operator = await call({
      method: 'POST',
      resource: '/v1/subscriptions',
      body: JSON.stringify({ url: 'https://alerts.komdigi.example/' }),
      clientId: OPERATOR_CLIENT,
      scope: 'takedown/read takedown/write takedown/admin',
    });
    // Operators have their alerts topic; a subscription made with their client would belong to no agency.
    expect(operator.statusCode).toBe(403);
    expect(bodyOf(operator).detail).toBe('subscriptions belong to agencies; operator clients have none');
    expect(world.deps.subscriptionSecrets).toMatchObject({ secrets: new Map() });
    const unknownClient = await call({
      method: 'GET',
      resource: '/v1/subscriptions',
      clientId: 'client-nobody',
    });
    expect(unknownClient.statusCode).toBe(403);
  });
});

describe('deliver-subscriptions handler', () => {
  it('takes the EventBridge event first, then the round it answered', async () => {
    const delivered = await deliveredOrder();
    world = delivered.world;
    const created = await create({ url: 'https://alerts.komdigi.example/hook', events: ['takedown.served'] });
    const { subscription } = bodyOf(created) as { subscription: { id: string } };
    world.endpoint.statuses.push({ status: 500 });
    const handler = makeDelivery(world.deps);
    const envelope = {
      version: '0',
      id: 'evt-1',
      'detail-type': 'takedown.served',
      source: 'tenggat.orders',
      time: '2026-12-03T06:00:00Z',
      detail: { orderId: delivered.orderId, platformId: 'michat', servedVia: 'webhook' },
    };
    const first = (await handler(envelope, lambdaContext)) as { pending: string[]; attempt: number };
    expect(first).toMatchObject({ attempt: 1, pending: [subscription.id], waitSeconds: 5 });
    const second = await handler(first, lambdaContext);
    expect(second).toMatchObject({ attempt: 2, pending: [], waitSeconds: 0 });
    const sent = world.endpoint.received.filter(
      (request) => request.url === 'https://alerts.komdigi.example/hook',
    );
    expect(sent.map((request) => JSON.parse(request.body).data)).toEqual([
      expect.objectContaining({ eventId: 'evt-1', detail: { servedVia: 'webhook' } }),
      expect.objectContaining({ eventId: 'evt-1', detail: { servedVia: 'webhook' } }),
    ]);
    await expect(handler({ nothing: true }, lambdaContext)).rejects.toMatchObject({
      name: 'InvalidRoundInputError',
    });
  });
});
