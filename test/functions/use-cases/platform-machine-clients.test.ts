import { describe, expect, it } from 'vitest';
import { listPlatforms, registerPlatform } from '../../../functions/src/use-cases/operator';
import { testWorld } from '../fakes';

const MICHAT = {
  id: 'michat',
  name: 'MiChat',
  webhookUrl: 'https://hooks.michat.example/tenggat',
  contactEmail: 'legal@michat.example',
};

describe("a platform's machine client", () => {
  it('is created with the registration, its id kept on the record and its secret shown once', async () => {
    const world = testWorld();
    const registered = await registerPlatform(world.deps, MICHAT);
    expect(world.platformClients.created).toHaveLength(1);
    const created = world.platformClients.created[0];
    expect(created?.platformId).toBe('michat');
    expect(registered.machineClient).toEqual({
      clientId: created?.client.clientId,
      clientSecret: created?.client.clientSecret,
      tokenUrl: world.platformClients.tokenUrl,
    });
    const record = await world.platforms.get('michat');
    expect(record?.machineClientIds).toEqual([created?.client.clientId]);
    // Neither the record nor the operator's listing holds the secret.
    const secret = created?.client.clientSecret ?? 'none';
    expect(JSON.stringify(record)).not.toContain(secret);
    expect(JSON.stringify(await listPlatforms(world.deps))).not.toContain(secret);
  });

  it('a failure to create it leaves no platform behind, so the registration can be tried again', async () => {
    const world = testWorld();
    world.platformClients.failNext = true;
    await expect(registerPlatform(world.deps, MICHAT)).rejects.toThrow(/LimitExceeded/);
    expect(await world.platforms.get('michat')).toBeNull();
    const registered = await registerPlatform(world.deps, MICHAT);
    expect((await world.platforms.get('michat'))?.machineClientIds).toEqual([
      registered.machineClient.clientId,
    ]);
  });

  it('a platform registered twice gets 409 the second time, and its first client stays the only one kept', async () => {
    const world = testWorld();
    const first = await registerPlatform(world.deps, MICHAT);
    await expect(registerPlatform(world.deps, MICHAT)).rejects.toThrow(/already exists/);
    expect((await world.platforms.get('michat'))?.machineClientIds).toEqual([first.machineClient.clientId]);
    expect(world.platformClients.created).toHaveLength(1);
  });
});
