import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  DeleteUserPoolClientCommand,
  DescribeUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CognitoPlatformClients } from '../../functions/src/adapters/cognito-platform-clients';
import { startAwsEndpoint } from '../../local/cloud/aws-endpoint';
import { createLocalCognito, type LocalCognito } from '../../local/cloud/cognito';
import { createCognitoAdmin } from '../../local/cloud/cognito-admin';
import { listen, type RunningServer } from '../../local/cloud/http-util';
import type { UserPoolClientSpec, UserPoolSpec } from '../../local/cloud/template';

const POOL: UserPoolSpec = {
  logicalId: 'TenggatUserPool',
  id: 'ap-southeast-3_LOCALPOOL',
  arn: 'arn:aws:cognito-idp:ap-southeast-3:000000000000:userpool/ap-southeast-3_LOCALPOOL',
  resourceServers: [{ identifier: 'takedown', scopes: ['takedown/read', 'takedown/platform'] }],
};
const TEMPLATE_CLIENT: UserPoolClientSpec = {
  logicalId: 'AgencyClient',
  clientId: 'templateclient',
  clientName: 'komdigi-ais',
  userPoolLogicalId: 'TenggatUserPool',
  allowedOAuthFlows: ['client_credentials'],
  allowedOAuthScopes: ['takedown/read'],
  generateSecret: true,
  callbackUrls: [],
  logoutUrls: [],
};

describe('the local Cognito admin API, through the AWS SDK v3 client', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cognito-admin-'));
  let cognito: LocalCognito;
  let aws: RunningServer;
  let tokens: RunningServer;
  let client: CognitoIdentityProviderClient;

  const start = async () => {
    cognito = await createLocalCognito({ dataDir, userPools: [POOL], clients: [TEMPLATE_CLIENT] });
    aws = await startAwsEndpoint({ cognitoIdp: createCognitoAdmin(cognito) });
    tokens = await listen(0, [cognito.handle]);
    client = new CognitoIdentityProviderClient({
      endpoint: aws.url,
      region: 'ap-southeast-3',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
  };
  const stop = async () => {
    client.destroy();
    await aws.close();
    await tokens.close();
  };
  const token = (clientId: string, secret: string, scope?: string) =>
    fetch(`${tokens.url}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }),
    });

  beforeAll(start);
  afterAll(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a platform client (the functions adapter) that gets takedown/platform tokens, also after a restart', async () => {
    const adapter = new CognitoPlatformClients(client, POOL.id, `${tokens.url}/oauth2/token`);
    const created = await adapter.createMachineClient('michat');
    expect(created.clientId).toMatch(/^[a-z0-9]{26}$/);
    const described = await client.send(
      new DescribeUserPoolClientCommand({ UserPoolId: POOL.id, ClientId: created.clientId }),
    );
    expect(described.UserPoolClient).toMatchObject({
      ClientName: 'platform-michat',
      ClientSecret: created.clientSecret,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: ['takedown/platform'],
    });
    const answer = await token(created.clientId, created.clientSecret);
    expect(answer.status).toBe(200);
    const { access_token: accessToken } = (await answer.json()) as { access_token: string };
    const claims = await cognito.verifyAccessToken(accessToken, ['TenggatUserPool']);
    expect(claims).toMatchObject({ client_id: created.clientId, scope: 'takedown/platform' });
    expect((await token(created.clientId, 'wrong-secret')).status).toBe(400);
    expect((await token(created.clientId, created.clientSecret, 'takedown/read')).status).toBe(400);
    // Kept private in the data dir: a restart still knows the client and its secret.
    expect(statSync(join(dataDir, 'cognito', 'runtime-clients.json')).mode & 0o777).toBe(0o600);
    await stop();
    await start();
    expect((await token(created.clientId, created.clientSecret)).status).toBe(200);
  });

  it('deletes a client created at run time; it then gets no tokens and is not found', async () => {
    const created = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: POOL.id,
        ClientName: 'platform-other',
        GenerateSecret: true,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: ['takedown/platform'],
      }),
    );
    const clientId = created.UserPoolClient?.ClientId ?? '';
    const secret = created.UserPoolClient?.ClientSecret ?? '';
    await client.send(new DeleteUserPoolClientCommand({ UserPoolId: POOL.id, ClientId: clientId }));
    expect((await token(clientId, secret)).status).toBe(400);
    await expect(
      client.send(new DescribeUserPoolClientCommand({ UserPoolId: POOL.id, ClientId: clientId })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('answers the AWS error codes: unknown pool or client, a bad parameter, an unknown scope', async () => {
    const create = (input: Partial<ConstructorParameters<typeof CreateUserPoolClientCommand>[0]>) =>
      client.send(
        new CreateUserPoolClientCommand({
          UserPoolId: POOL.id,
          ClientName: 'x',
          GenerateSecret: true,
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthFlows: ['client_credentials'],
          AllowedOAuthScopes: ['takedown/platform'],
          ...input,
        }),
      );
    await expect(create({ UserPoolId: 'ap-southeast-3_NOPE' })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(create({ ClientName: '' })).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(create({ AllowedOAuthScopes: ['takedown/everything'] })).rejects.toMatchObject({
      name: 'ScopeDoesNotExistException',
    });
    await expect(create({ GenerateSecret: false })).rejects.toMatchObject({
      name: 'InvalidOAuthFlowException',
    });
    await expect(
      client.send(new DescribeUserPoolClientCommand({ UserPoolId: POOL.id, ClientId: 'missing' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    // The template's clients belong to the stack.
    await expect(
      client.send(new DeleteUserPoolClientCommand({ UserPoolId: POOL.id, ClientId: 'templateclient' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});
