import { beforeEach, describe, expect, it } from 'vitest';
import { type TestWorld, testWorld } from '../fakes';
import { AGENCY, orderBody, registerMichat, submit } from '../lifecycle-helpers';
import { apiEvent, handlersOver, lambdaContext, OPERATOR_CLIENT } from './api-event';

let world: TestWorld;
let handlers: Awaited<ReturnType<typeof handlersOver>>;

beforeEach(async () => {
  world = testWorld();
  handlers = await handlersOver(world);
  await registerMichat(world);
});

const list = (query: Record<string, string>, extra: { clientId?: string; scope?: string } = {}) =>
  handlers.read(
    apiEvent({ method: 'GET', resource: '/v1/takedown-requests', query, ...extra }),
    lambdaContext,
  );
const asOperator = { clientId: OPERATOR_CLIENT, scope: 'takedown/read takedown/admin' };
const idsOf = (body: string) =>
  (JSON.parse(body) as { items: { id: string }[] }).items.map((order) => order.id);

describe('GET /v1/takedown-requests search', () => {
  it('finds an agency’s own order by reference and by locator, never another agency’s', async () => {
    const own = await submit(world, orderBody({ reference: 'SAME/1' }));
    world.clock.advance(1_000);
    const other = await submit(world, orderBody({ reference: 'SAME/1' }), 'key-polri', 'polri-siber');
    const byReference = await list({ reference: 'SAME/1' });
    expect(byReference.statusCode, byReference.body).toBe(200);
    expect(idsOf(byReference.body)).toEqual([own.id]);
    const byLocator = await list({ locator: 'HTTPS://MICHAT.EXAMPLE/p/2#x' });
    expect(idsOf(byLocator.body)).toEqual([own.id]);
    expect(idsOf((await list({ reference: 'SAME/1' }, asOperator)).body)).toEqual([other.id, own.id]);
  });

  it('shows what the console’s table needs on each row, the fine included', async () => {
    await submit(world, orderBody());
    const response = await list({});
    const [row] = JSON.parse(response.body).items;
    expect(row).toMatchObject({
      agencyId: AGENCY,
      platformId: 'michat',
      status: expect.any(String),
      stage: 'order',
      itemCounts: { total: 3 },
      fine: { currency: 'IDR', accrued: 0 },
    });
    expect(row.createdAt).toEqual(expect.any(String));
    expect(row).toHaveProperty('deadlineAt');
  });

  it('answers an unknown stage with a problem naming it', async () => {
    const response = await list({ stage: 'st9' });
    expect([400, 422]).toContain(response.statusCode);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(response.body).toContain('stage');
  });

  it('refuses reference and locator together', async () => {
    const response = await list({ reference: 'A', locator: 'https://michat.example/p/1' });
    expect([400, 422]).toContain(response.statusCode);
    expect(JSON.parse(response.body)).toMatchObject({ errors: [{ field: 'locator' }] });
  });
});
