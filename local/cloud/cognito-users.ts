/**
 * The people of the local Cognito: users with a password and a TOTP secret, and groups, per user pool; kept in
 * `<dataDir>/cognito/users.json` (0600) so generated passwords and secrets stay the same across restarts. Seeded
 * from `config/local-users.json`; changed at run time through the `cognito-idp` actions of `userPoolActions`.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import {
  type ActionHandler,
  AwsApiError,
  actionTable,
  type JsonObject,
  requiredString,
  serveAwsJson,
} from './aws-json';
import { newTotpSecret } from './totp';

export interface LocalUser {
  username: string;
  sub: string;
  email: string | null;
  password: string;
  /**
   * Base32. Seeded users are enrolled from the start (local.json gives their secret); a user made by
   * AdminCreateUser has none until their first sign-in enrols an authenticator (MFA_SETUP, as on AWS).
   */
  totpSecret: string | null;
  groups: string[];
  /** `FORCE_CHANGE_PASSWORD` until a user made by AdminCreateUser sets a password of their own. */
  status: 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD';
  createdAt: string;
}

export interface UserSeed {
  username: string;
  groups: string[];
}

/** What `.tenggat/local.json` shows of each user. */
export interface PublishedUser {
  password: string;
  /** null until the person has enrolled an authenticator at their first sign-in. */
  totpSecret: string | null;
  groups: string[];
}

interface PoolState {
  groups: string[];
  users: Record<string, LocalUser>;
}

export interface LocalUserStore {
  get(poolId: string, username: string): LocalUser | undefined;
  seed(poolId: string, seeds: readonly UserSeed[]): void;
  createGroup(poolId: string, groupName: string): void;
  createUser(
    poolId: string,
    input: { username: string; email: string | null; temporaryPassword?: string },
  ): LocalUser;
  addToGroup(poolId: string, username: string, groupName: string): void;
  setPassword(poolId: string, username: string, password: string): void;
  /** The enrolment of an authenticator (VerifySoftwareToken): the secret the person proved they hold. */
  setTotpSecret(poolId: string, username: string, secret: string): void;
  /** Constant-time check of the password; false for an unknown user too. */
  checkPassword(poolId: string, username: string, password: string): boolean;
  published(poolId: string): Record<string, PublishedUser>;
  /** Called after every change (main.ts rewrites local.json). */
  onChange(listener: () => void): void;
}

/** A password the pool's policy accepts (≥ 14, upper, lower, digit, symbol). */
export function generatePassword(): string {
  return `${randomBytes(15).toString('base64url').replace(/[-_]/g, 'x')}Tg7!`;
}

const writePrivate = (path: string, content: string) => {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
};

export function createLocalUserStore(options: {
  dataDir: string;
  /** Pool id → the groups its template declares. */
  pools: Readonly<Record<string, readonly string[]>>;
}): LocalUserStore {
  const directory = join(options.dataDir, 'cognito');
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const path = join(directory, 'users.json');
  const state: Record<string, PoolState> = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
  for (const [poolId, groups] of Object.entries(options.pools)) {
    const pool = state[poolId] ?? { groups: [], users: {} };
    pool.groups = [...new Set([...pool.groups, ...groups])];
    state[poolId] = pool;
  }
  const listeners: (() => void)[] = [];
  const save = () => {
    writePrivate(path, JSON.stringify(state, null, 2));
    for (const listener of listeners) listener();
  };
  save();

  const poolOf = (poolId: string): PoolState => {
    const pool = state[poolId];
    if (!pool) throw new AwsApiError('ResourceNotFoundException', `User pool ${poolId} does not exist.`);
    return pool;
  };
  const userOf = (poolId: string, username: string): LocalUser => {
    const user = poolOf(poolId).users[username];
    if (!user) throw new AwsApiError('UserNotFoundException', 'User does not exist.');
    return user;
  };
  const newUser = (
    username: string,
    email: string | null,
    password: string,
    status: LocalUser['status'],
  ): LocalUser => ({
    username,
    sub: randomUUID(),
    email,
    password,
    totpSecret: status === 'CONFIRMED' ? newTotpSecret() : null,
    groups: [],
    status,
    createdAt: new Date().toISOString(),
  });

  return {
    get: (poolId, username) => state[poolId]?.users[username],
    seed(poolId, seeds) {
      const pool = poolOf(poolId);
      for (const seed of seeds) {
        const user =
          pool.users[seed.username] ?? newUser(seed.username, null, generatePassword(), 'CONFIRMED');
        pool.users[seed.username] = user;
        // The file names the groups: a seed moved to another group follows it.
        user.groups = [...seed.groups];
        for (const group of seed.groups) if (!pool.groups.includes(group)) pool.groups.push(group);
      }
      save();
    },
    createGroup(poolId, groupName) {
      const pool = poolOf(poolId);
      if (pool.groups.includes(groupName))
        throw new AwsApiError('GroupExistsException', 'A group with the name already exists.');
      pool.groups.push(groupName);
      save();
    },
    createUser(poolId, input) {
      const pool = poolOf(poolId);
      if (pool.users[input.username])
        throw new AwsApiError('UsernameExistsException', 'User account already exists.');
      const password = input.temporaryPassword ?? generatePassword();
      const user = newUser(input.username, input.email, password, 'FORCE_CHANGE_PASSWORD');
      pool.users[input.username] = user;
      save();
      return user;
    },
    addToGroup(poolId, username, groupName) {
      const pool = poolOf(poolId);
      if (!pool.groups.includes(groupName))
        throw new AwsApiError('ResourceNotFoundException', 'Group not found.');
      const user = userOf(poolId, username);
      if (!user.groups.includes(groupName)) user.groups.push(groupName);
      save();
    },
    setPassword(poolId, username, password) {
      const user = userOf(poolId, username);
      user.password = password;
      user.status = 'CONFIRMED';
      save();
    },
    setTotpSecret(poolId, username, secret) {
      userOf(poolId, username).totpSecret = secret;
      save();
    },
    checkPassword(poolId, username, password) {
      const expected = Buffer.from(state[poolId]?.users[username]?.password ?? randomUUID());
      const given = Buffer.from(password);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
    published(poolId) {
      const users = state[poolId]?.users ?? {};
      return Object.fromEntries(
        Object.values(users).map((user) => [
          user.username,
          { password: user.password, totpSecret: user.totpSecret, groups: [...user.groups] },
        ]),
      );
    },
    onChange: (listener) => listeners.push(listener),
  };
}

const attributesOf = (user: LocalUser) => [
  { Name: 'sub', Value: user.sub },
  ...(user.email
    ? [
        { Name: 'email', Value: user.email },
        { Name: 'email_verified', Value: 'true' },
      ]
    : []),
];
const userView = (user: LocalUser) => ({
  Username: user.username,
  Attributes: attributesOf(user),
  UserCreateDate: Date.parse(user.createdAt) / 1000,
  UserLastModifiedDate: Date.parse(user.createdAt) / 1000,
  Enabled: true,
  UserStatus: user.status,
});

/** The `AWSCognitoIdentityProviderService` actions the API's functions and the tests use, on this store. */
export function userPoolActions(store: LocalUserStore): Record<string, ActionHandler> {
  const emailOf = (input: JsonObject): string | null => {
    const attributes = Array.isArray(input.UserAttributes) ? (input.UserAttributes as JsonObject[]) : [];
    const email = attributes.find((attribute) => attribute.Name === 'email')?.Value;
    return typeof email === 'string' ? email : null;
  };
  return {
    CreateGroup: (input) => {
      const groupName = requiredString(input, 'GroupName');
      store.createGroup(requiredString(input, 'UserPoolId'), groupName);
      return { Group: { GroupName: groupName, UserPoolId: input.UserPoolId } };
    },
    AdminCreateUser: (input) => {
      const poolId = requiredString(input, 'UserPoolId');
      const temporaryPassword =
        typeof input.TemporaryPassword === 'string' ? input.TemporaryPassword : undefined;
      const user = store.createUser(poolId, {
        username: requiredString(input, 'Username'),
        email: emailOf(input),
        ...(temporaryPassword ? { temporaryPassword } : {}),
      });
      return { User: userView(user) };
    },
    AdminAddUserToGroup: (input) => {
      store.addToGroup(
        requiredString(input, 'UserPoolId'),
        requiredString(input, 'Username'),
        requiredString(input, 'GroupName'),
      );
      return {};
    },
    AdminGetUser: (input) => {
      const user = store.get(requiredString(input, 'UserPoolId'), requiredString(input, 'Username'));
      if (!user) throw new AwsApiError('UserNotFoundException', 'User does not exist.');
      const { Attributes, ...rest } = userView(user);
      return { ...rest, UserAttributes: Attributes };
    },
    ListUsers: (input) => {
      const poolId = requiredString(input, 'UserPoolId');
      return {
        Users: Object.keys(store.published(poolId)).flatMap((name) => {
          const user = store.get(poolId, name);
          return user ? [userView(user)] : [];
        }),
      };
    },
  };
}

/** Serves the actions over the AWS JSON 1.1 protocol (`AWSCognitoIdentityProviderService.<Action>`). */
export function cognitoIdpEndpoint(actions: Record<string, ActionHandler>) {
  const dispatch = actionTable(actions);
  return {
    handle: (request: IncomingMessage, response: ServerResponse) =>
      serveAwsJson(
        request,
        response,
        'AWSCognitoIdentityProviderService',
        'application/x-amz-json-1.1',
        dispatch,
      ),
  };
}
