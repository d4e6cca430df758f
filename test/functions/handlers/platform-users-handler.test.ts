import { beforeEach, describe, expect, it } from 'vitest';
import { type TestWorld, testWorld } from '../fakes';
import { registerMichat } from '../lifecycle-helpers';
import { AGENCY_CLIENT, apiEvent, handlersOver, lambdaContext, OPERATOR_CLIENT } from './api-event';

let world: TestWorld;
let handlers: Awaited<ReturnType<typeof handlersOver>>;

beforeEach(async () => {
  world = testWorld();
  handlers = await handlersOver(world);
});

const createUser = (
  platformId: string,
  body: unknown,
  clientId = OPERATOR_CLIENT,
  scope = 'takedown/admin takedown/read',
) =>
  handlers.operator(
    apiEvent({
      method: 'POST',
      resource: '/v1/platforms/{platformId}/users',
      pathParameters: { platformId },
      body: JSON.stringify(body),
      clientId,
      scope,
    }),
    lambdaContext,
  );

describe('POST /v1/platforms/{platformId}/users', () => {
  it('gives a registered platform its group, and a staff user in it with a temporary password shown once', async () => {
    const registered = await handlers.operator(
      apiEvent({
        method: 'POST',
        resource: '/v1/platforms',
        clientId: OPERATOR_CLIENT,
        scope: 'takedown/admin',
        body: JSON.stringify({
          id: 'michat',
          name: 'MiChat',
          webhookUrl: 'https://hooks.michat.example/tenggat',
          contactEmail: 'legal@michat.example',
        }),
      }),
      lambdaContext,
    );
    expect(registered.statusCode, registered.body).toBe(201);
    expect([...world.staff.groups]).toEqual(['platform:michat']);

    const response = await createUser('michat', { username: 'rudi.ts', email: 'rudi@michat.example' });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.headers?.['cache-control']).toBe('no-store');
    const body = JSON.parse(response.body) as Record<string, string>;
    expect(body).toMatchObject({ username: 'rudi.ts', platformId: 'michat', group: 'platform:michat' });
    expect(body.temporaryPassword).toMatch(/^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*[^A-Za-z0-9]).{14,}$/);
    expect(world.staff.users.get('rudi.ts')).toEqual({
      email: 'rudi@michat.example',
      temporaryPassword: body.temporaryPassword,
      groups: ['platform:michat'],
    });
  });

  it('answers 404 for an unknown platform and 409 for a taken username', async () => {
    expect((await createUser('nowhere', { username: 'rudi', email: 'rudi@x.example' })).statusCode).toBe(404);
    await registerMichat(world);
    expect((await createUser('michat', { username: 'rudi', email: 'rudi@michat.example' })).statusCode).toBe(
      201,
    );
    const again = await createUser('michat', { username: 'rudi', email: 'other@michat.example' });
    expect(again.statusCode).toBe(409);
    expect(again.body).not.toContain('Tg!');
  });

  it('refuses agencies and a body without a valid email', async () => {
    await registerMichat(world);
    const asAgency = await createUser(
      'michat',
      { username: 'rudi', email: 'rudi@michat.example' },
      AGENCY_CLIENT,
      'takedown/read takedown/write',
    );
    expect(asAgency.statusCode).toBe(403);
    const invalid = await createUser('michat', { username: 'rudi', email: 'not an email' });
    expect(invalid.statusCode).toBe(422);
    expect(world.staff.users.size).toBe(0);
  });
});
