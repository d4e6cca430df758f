import { describe, expect, it } from 'vitest';
import { ConflictError, UnprocessableError } from '../../../functions/src/domain/errors';
import {
  listPlatforms,
  redeliver,
  registerPlatform,
  rotateSecrets,
} from '../../../functions/src/use-cases/operator';
import { testWorld } from '../fakes';
import { registerMichat, runWorkflow, submit } from '../lifecycle-helpers';

const platform = { id: 'michat', name: 'MiChat', contactEmail: 'legal@michat.example' };

describe('registerPlatform', () => {
  it('returns two distinct whsec_ secrets once, stores them only in the secret store', async () => {
    const world = testWorld();
    const result = await registerMichat(world);
    expect(result.notificationSecret).toMatch(/^whsec_/);
    expect(result.responseSecret).toMatch(/^whsec_/);
    expect(result.notificationSecret).not.toBe(result.responseSecret);
    expect(JSON.stringify(await world.platforms.get('michat'))).not.toContain('whsec_');
    expect((await world.secrets.get('michat'))?.current.responseSecret).toBe(result.responseSecret);
    expect((await listPlatforms(world.deps)).items.map((entry) => entry.id)).toEqual(['michat']);
  });

  it('refuses a second registration of the same id', async () => {
    const world = testWorld();
    await registerMichat(world);
    await expect(registerMichat(world)).rejects.toThrow(ConflictError);
  });

  it.each([
    ['plain http', 'http://hooks.michat.example/'],
    ['the metadata service', 'https://169.254.169.254/latest'],
    ['a private address literal', 'https://10.1.2.3/hook'],
  ])('refuses %s with a 422 naming webhookUrl', async (_name, webhookUrl) => {
    const world = testWorld();
    const attempt = registerPlatform(world.deps, { ...platform, webhookUrl });
    await expect(attempt).rejects.toThrow(UnprocessableError);
    await expect(attempt).rejects.toMatchObject({ fieldErrors: [{ field: 'webhookUrl' }] });
    expect(world.platforms.platforms.size).toBe(0);
    expect(world.secrets.secrets.size).toBe(0);
  });

  it('refuses a name that resolves to a private address', async () => {
    const world = testWorld();
    world.deps.resolveHost = async () => ['192.168.1.10'];
    await expect(
      registerPlatform(world.deps, { ...platform, webhookUrl: 'https://inside.example/' }),
    ).rejects.toThrow(UnprocessableError);
  });
});

describe('rotateSecrets', () => {
  it('keeps the previous pair valid for 24 hours', async () => {
    const world = testWorld();
    const first = await registerMichat(world);
    const rotated = await rotateSecrets(world.deps, 'michat');
    const stored = await world.secrets.get('michat');
    expect(stored?.previous?.responseSecret).toBe(first.responseSecret);
    expect(rotated.previousSecretsValidUntil).toBe(
      new Date(world.clock.now().getTime() + 86_400_000).toISOString(),
    );
  });
});

describe('redeliver', () => {
  it('retries every failed webhook of a non-final order now, keeps its deadline, and wakes the workflow', async () => {
    const world = testWorld();
    await registerMichat(world);
    const order = await submit(world);
    // Nothing has failed yet: there is nothing to redeliver.
    await expect(redeliver(world.deps, { orderId: order.id, operatorId: 'ops' })).rejects.toThrow(
      ConflictError,
    );
    world.endpoint.statuses.push({ status: 410 });
    const run = await runWorkflow(world, order.id);
    expect(run.steps).toEqual(['deliver:000001', 'wait']);
    expect((await world.platforms.get('michat'))?.status).toBe('disabled');
    const waiting = await world.orders.getOrder(order.id);
    expect(await redeliver(world.deps, { orderId: order.id, operatorId: 'ops' })).toEqual({
      id: order.id,
      status: 'notifying',
      noticeIds: ['000001'],
    });
    expect(world.workflow.woken).toEqual([
      { taskToken: waiting?.taskToken, output: { changed: 'redelivery' } },
    ]);
    expect((await world.platforms.get('michat'))?.status).toBe('active');
    expect((await runWorkflow(world, order.id)).steps).toEqual(['deliver:000001', 'wait']);
    expect((await world.orders.getOrder(order.id))?.servedVia).toBe('webhook');
  });

  it('never restarts the clock of a served order and refuses a final one', async () => {
    const world = testWorld();
    await registerMichat(world);
    const order = await submit(world);
    await runWorkflow(world, order.id);
    const served = await world.orders.getOrder(order.id);
    world.clock.advance(24 * 3_600_000);
    world.endpoint.statuses.push({ status: 500 });
    await runWorkflow(world, order.id);
    world.clock.advance(60_000);
    await redeliver(world.deps, { orderId: order.id, operatorId: 'ops' });
    await runWorkflow(world, order.id);
    const after = await world.orders.getOrder(order.id);
    expect(after?.stage).toBe('st1');
    expect(after?.servedAt).toBe(served?.servedAt);
    const marker = world.orders.orders.get(order.id);
    if (marker) marker.status = 'complied';
    await expect(redeliver(world.deps, { orderId: order.id, operatorId: 'ops' })).rejects.toThrow(
      /already complied/,
    );
  });
});
