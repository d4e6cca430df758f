import { ConflictError, NotFoundError } from '../domain/errors';
import type { Deps } from './deps';

export type PlatformStaffDeps = Pick<Deps, 'platforms' | 'staff' | 'ids'>;

/** The people's group of a platform: its staff see only orders addressed to it. */
export const platformGroupOf = (platformId: string) => `platform:${platformId}`;

/**
 * A temporary password the staff pool's policy accepts (14+, upper, lower, digit, symbol), from a fresh random
 * secret: shown once to the operator, changed by the person at first sign-in.
 */
export function temporaryPasswordFrom(secret: string): string {
  const random = secret.replace(/^whsec_/, '').replace(/[^A-Za-z0-9]/g, '');
  return `Tg!${random.slice(0, 20)}a1`;
}

/** Creates a staff user of a registered platform, in its group; answers the temporary password once. */
export async function createPlatformStaffUser(
  deps: PlatformStaffDeps,
  input: { platformId: string; username: string; email: string },
) {
  if ((await deps.platforms.get(input.platformId)) === null)
    throw new NotFoundError(`platform ${input.platformId} is not registered`);
  // Platforms registered before people could sign in have no group yet.
  await deps.staff.ensurePlatformGroup(input.platformId);
  const temporaryPassword = temporaryPasswordFrom(deps.ids.secret());
  const outcome = await deps.staff.createPlatformUser({ ...input, temporaryPassword });
  if (outcome === 'username_taken') throw new ConflictError(`the username ${input.username} is taken`);
  return {
    username: input.username,
    email: input.email,
    platformId: input.platformId,
    group: platformGroupOf(input.platformId),
    temporaryPassword,
  };
}
