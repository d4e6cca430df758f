/**
 * The people of `npm start`: the staff pool's users (seeded from `config/local-users.json`, passwords and TOTP
 * secrets generated once and kept in the data dir), their sign-in pages, and the `cognito-idp` endpoint the
 * operator function calls to make platform groups and staff users.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createPeopleSignIn, LOGIN_PATHS, type PeopleSignIn } from './cognito-login';
import { createLocalUserStore, type LocalUserStore, type PublishedUser } from './cognito-users';
import { LocalCloudStartError } from './start-steps';
import type { LocalTemplate } from './template';

/** The people's pool of the template (`lib/staff-identity.ts`). */
export const STAFF_POOL_LOGICAL_ID = 'TenggatStaffUserPool';

const localUsersSchema = z.strictObject({
  users: z.array(
    z.strictObject({ username: z.string().min(1).max(128), groups: z.array(z.string().min(1)) }),
  ),
});

export interface LocalSignIn {
  authorizeUrl: string;
  tokenUrl: string;
  logoutUrl: string;
  consoleClientId: string | null;
  userPoolId: string;
}

export interface LocalPeople {
  store: LocalUserStore;
  signIn: PeopleSignIn;
  staffPoolId: string | null;
  /** The users of the staff pool as local.json shows them. */
  users(): Record<string, PublishedUser>;
  signInUrls(apiOrigin: string): LocalSignIn | null;
}

export function readLocalUsers(projectDir: string) {
  const path = join(projectDir, 'config', 'local-users.json');
  if (!existsSync(path)) return [];
  const parsed = localUsersSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new LocalCloudStartError(`${path}: ${parsed.error.message}`);
  return parsed.data.users;
}

export function startPeople(options: {
  template: LocalTemplate;
  dataDir: string;
  projectDir: string;
}): LocalPeople {
  const { template } = options;
  const pools = Object.fromEntries(
    template.userPools.map((pool) => [
      pool.id,
      template.userPoolGroups
        .filter((group) => group.userPoolLogicalId === pool.logicalId)
        .map((group) => group.groupName),
    ]),
  );
  const store = createLocalUserStore({ dataDir: options.dataDir, pools });
  const staffPool = template.userPools.find((pool) => pool.logicalId === STAFF_POOL_LOGICAL_ID);
  if (staffPool) store.seed(staffPool.id, readLocalUsers(options.projectDir));
  const poolIdOf = new Map(template.userPools.map((pool) => [pool.logicalId, pool.id]));
  const codeClients = template.userPoolClients
    .filter((client) => client.allowedOAuthFlows.includes('code'))
    .map((client) => ({
      clientId: client.clientId,
      userPoolId: (client.userPoolLogicalId && poolIdOf.get(client.userPoolLogicalId)) || '',
      allowedOAuthFlows: client.allowedOAuthFlows,
      scopes: client.allowedOAuthScopes,
      callbackUrls: client.callbackUrls,
      logoutUrls: client.logoutUrls,
    }));
  const signIn = createPeopleSignIn({ store, clients: () => codeClients });
  return {
    store,
    signIn,
    staffPoolId: staffPool?.id ?? null,
    users: () => (staffPool ? store.published(staffPool.id) : {}),
    signInUrls: (apiOrigin) =>
      staffPool
        ? {
            authorizeUrl: `${apiOrigin}${LOGIN_PATHS.authorize}`,
            tokenUrl: `${apiOrigin}/oauth2/token`,
            logoutUrl: `${apiOrigin}${LOGIN_PATHS.logout}`,
            consoleClientId:
              codeClients.find((client) => client.userPoolId === staffPool.id)?.clientId ?? null,
            userPoolId: staffPool.id,
          }
        : null,
  };
}
