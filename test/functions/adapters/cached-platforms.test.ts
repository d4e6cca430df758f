import { describe, expect, it } from 'vitest';
import { cachedPlatforms } from '../../../functions/src/adapters/cached-platforms';
import type { PlatformRecord } from '../../../functions/src/domain/records';
import type { PlatformRepository } from '../../../functions/src/ports';

const michat: PlatformRecord = {
  platformId: 'michat',
  name: 'MiChat',
  webhookUrl: 'https://michat.example/webhook',
  contactEmail: 'legal@michat.example',
  status: 'active',
  createdAt: '2026-12-01T00:00:00.000Z',
  secretsRotatedAt: null,
  disabledAt: null,
};

function countingRepository(platforms: Map<string, PlatformRecord>) {
  const reads: string[] = [];
  const repository: PlatformRepository = {
    async get(platformId) {
      reads.push(platformId);
      return platforms.get(platformId) ?? null;
    },
    async create(platform) {
      platforms.set(platform.platformId, platform);
      return true;
    },
    async update(platformId, set) {
      const platform = platforms.get(platformId);
      if (platform) platforms.set(platformId, { ...platform, ...set });
    },
    list: async () => [...platforms.values()],
    recordDelivery: async () => {},
  };
  return { repository, reads };
}

describe('the submit function’s platform lookups', () => {
  it('reads a registered platform once per minute, and an unknown one every time until it exists', async () => {
    const stored = new Map<string, PlatformRecord>();
    const { repository, reads } = countingRepository(stored);
    let clock = 0;
    const platforms = cachedPlatforms(repository, 60_000, () => clock);
    expect(await platforms.get('michat')).toBeNull();
    stored.set('michat', michat);
    expect(await platforms.get('michat')).toEqual(michat);
    clock = 59_000;
    expect(await platforms.get('michat')).toEqual(michat);
    expect(reads).toEqual(['michat', 'michat']);
    clock = 61_000;
    await platforms.get('michat');
    expect(reads).toHaveLength(3);
  });

  it('forgets a platform it updates, so the change is read back at once', async () => {
    const { repository } = countingRepository(new Map([['michat', michat]]));
    const platforms = cachedPlatforms(repository, 60_000, () => 0);
    await platforms.get('michat');
    await platforms.update('michat', { status: 'disabled', disabledAt: '2026-12-02T00:00:00.000Z' });
    expect((await platforms.get('michat'))?.status).toBe('disabled');
  });
});
