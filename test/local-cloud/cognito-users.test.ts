import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  GroupExistsException,
  ListUsersCommand,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cognitoIdpEndpoint,
  createLocalUserStore,
  type LocalUserStore,
  userPoolActions,
} from '../../local/cloud/cognito-users';
import { listen, type RunningServer } from '../../local/cloud/http-util';

const POOL_ID = 'ap-southeast-3_Staff1';

describe('the local cognito-idp endpoint, through the AWS SDK', () => {
  let server: RunningServer;
  let store: LocalUserStore;
  let client: CognitoIdentityProviderClient;
  const changes: number[] = [];

  beforeAll(async () => {
    store = createLocalUserStore({
      dataDir: mkdtempSync(join(tmpdir(), 'cognito-users-')),
      pools: { [POOL_ID]: ['operator'] },
    });
    store.onChange(() => changes.push(Date.now()));
    server = await listen(0, [cognitoIdpEndpoint(userPoolActions(store)).handle]);
    client = new CognitoIdentityProviderClient({
      endpoint: server.url,
      region: 'ap-southeast-3',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(() => server.close());

  it('creates a group once; the second time is the exception the adapter tolerates', async () => {
    await client.send(new CreateGroupCommand({ UserPoolId: POOL_ID, GroupName: 'platform:michat' }));
    await expect(
      client.send(new CreateGroupCommand({ UserPoolId: POOL_ID, GroupName: 'platform:michat' })),
    ).rejects.toBeInstanceOf(GroupExistsException);
  });

  it('creates a user who must change the temporary password, puts them in a group, and lists them', async () => {
    const created = await client.send(
      new AdminCreateUserCommand({
        UserPoolId: POOL_ID,
        Username: 'rudi',
        TemporaryPassword: 'Temporary-Pass-1234',
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: 'rudi@michat.example' }],
      }),
    );
    expect(created.User?.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
    await client.send(
      new AdminAddUserToGroupCommand({ UserPoolId: POOL_ID, Username: 'rudi', GroupName: 'platform:michat' }),
    );
    const user = await client.send(new AdminGetUserCommand({ UserPoolId: POOL_ID, Username: 'rudi' }));
    expect(user.UserAttributes).toContainEqual({ Name: 'email', Value: 'rudi@michat.example' });
    expect(
      (await client.send(new ListUsersCommand({ UserPoolId: POOL_ID }))).Users?.map((u) => u.Username),
    ).toEqual(['rudi']);
    expect(store.published(POOL_ID).rudi).toMatchObject({
      password: 'Temporary-Pass-1234',
      groups: ['platform:michat'],
    });
    // No authenticator until their first sign-in enrols one (MFA_SETUP).
    expect(store.published(POOL_ID).rudi?.totpSecret).toBeNull();
    expect(changes.length).toBeGreaterThanOrEqual(3);
    await expect(
      client.send(
        new AdminCreateUserCommand({
          UserPoolId: POOL_ID,
          Username: 'rudi',
          TemporaryPassword: 'Another-Pass-1234',
        }),
      ),
    ).rejects.toBeInstanceOf(UsernameExistsException);
  });
});
