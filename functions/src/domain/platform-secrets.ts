import type { PlatformSecrets } from './records';

/** How long the previous pair of secrets stays in force after a rotation. */
export const SECRET_OVERLAP_MS = 24 * 3600 * 1000;

/**
 * The secrets of one direction that are in force at `now`: the current one, and the previous one while its overlap
 * lasts. We sign with all of them (both signatures in one header) and accept an answer signed with any of them.
 */
export function secretsInForce(
  secrets: PlatformSecrets,
  direction: 'notificationSecret' | 'responseSecret',
  now: Date,
): string[] {
  const list = [secrets.current[direction]];
  if (secrets.previous !== null && new Date(secrets.previous.validUntil).getTime() > now.getTime()) {
    list.push(secrets.previous[direction]);
  }
  return list;
}

/** The secrets after a rotation at `now`: a fresh current pair, the old one kept as previous for the overlap. */
export function rotatedSecrets(
  secrets: PlatformSecrets,
  fresh: { notificationSecret: string; responseSecret: string },
  now: Date,
): PlatformSecrets {
  return {
    current: { ...fresh, createdAt: now.toISOString() },
    previous: { ...secrets.current, validUntil: new Date(now.getTime() + SECRET_OVERLAP_MS).toISOString() },
  };
}
