import type { StaffDirectory } from '../../functions/src/ports';

/** The staff user pool in memory: its groups and users, as Cognito would keep them. */
export class InMemoryStaffDirectory implements StaffDirectory {
  readonly groups = new Set<string>();
  readonly users = new Map<string, { email: string; temporaryPassword: string; groups: string[] }>();

  async ensurePlatformGroup(platformId: string) {
    this.groups.add(`platform:${platformId}`);
  }

  async createPlatformUser(input: Parameters<StaffDirectory['createPlatformUser']>[0]) {
    if (this.users.has(input.username)) return 'username_taken' as const;
    const group = `platform:${input.platformId}`;
    if (!this.groups.has(group)) throw new Error(`no group ${group}`);
    this.users.set(input.username, {
      email: input.email,
      temporaryPassword: input.temporaryPassword,
      groups: [group],
    });
    return 'created' as const;
  }
}
