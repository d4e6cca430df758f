import type { PlatformRecord } from '../domain/records';
import type { PlatformRepository } from '../ports';

/**
 * A platform repository that remembers each platform it found for `ttlMs` in this container: the submit
 * function looks the platform up on every order, and platforms are registered rarely and never deleted. A
 * platform not found is asked again each time (it may be registered a second later); writes go through and
 * forget what they change.
 */
export function cachedPlatforms(
  inner: PlatformRepository,
  ttlMs: number,
  now: () => number = Date.now,
): PlatformRepository {
  const found = new Map<string, { platform: PlatformRecord; until: number }>();
  return {
    async get(platformId) {
      const cached = found.get(platformId);
      if (cached !== undefined && cached.until > now()) return cached.platform;
      const platform = await inner.get(platformId);
      if (platform === null) found.delete(platformId);
      else found.set(platformId, { platform, until: now() + ttlMs });
      return platform;
    },
    create: (platform) => inner.create(platform),
    async update(platformId, set) {
      found.delete(platformId);
      await inner.update(platformId, set);
    },
    list: () => inner.list(),
    // The cached record keeps its health as it was: only the registry and platform views show it, read fresh.
    recordDelivery: (platformId, outcome) => inner.recordDelivery(platformId, outcome),
  };
}
