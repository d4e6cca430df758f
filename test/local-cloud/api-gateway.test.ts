import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiGateway } from '../../local/cloud/api-gateway';
import { createLocalCognito, type LocalCognito } from '../../local/cloud/cognito';
import { listen, type RunningServer } from '../../local/cloud/http-util';
import { createLambdaService, type LambdaService } from '../../local/cloud/lambda-service';
import { type LocalTemplate, readLocalTemplate } from '../../local/cloud/template';
import { synthFixtureStack } from './fixture-stack';

describe('local Cognito token endpoint and API Gateway', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'api-gateway-'));
  let template: LocalTemplate;
  let cognito: LocalCognito;
  let lambda: LambdaService;
  let server: RunningServer;
  let throttledServer: RunningServer;
  let clientId: string;
  let clientSecret: string;

  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const requestToken = (authorization: string, scope?: string) =>
    fetch(`${server.url}/oauth2/token`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }),
    });
  const tokenFor = async (scope?: string) => {
    const response = await requestToken(basic(clientId, clientSecret), scope);
    return ((await response.json()) as { access_token: string }).access_token;
  };

  beforeAll(async () => {
    const { cdkOutDir, stackName } = synthFixtureStack();
    template = readLocalTemplate(cdkOutDir, stackName);
    cognito = await createLocalCognito({
      dataDir,
      userPools: template.userPools,
      clients: template.userPoolClients,
    });
    const first = cognito.clients[0];
    clientId = first?.clientId ?? '';
    clientSecret = first?.clientSecret ?? '';
    lambda = createLambdaService({ functions: template.functions, dataDir });
    const api = template.restApis[0];
    if (!api) throw new Error('fixture has no API');
    const gateway = createApiGateway({
      api,
      invoke: (name, payload) => lambda.invoke(name, payload),
      verifyAccessToken: cognito.verifyAccessToken,
      integrationTimeoutMillis: 1500,
    });
    server = await listen(0, [cognito.handle, gateway.handle]);
    const throttled = createApiGateway({
      api,
      invoke: (name, payload) => lambda.invoke(name, payload),
      verifyAccessToken: cognito.verifyAccessToken,
      rateLimit: { ratePerSecond: 0.5, burst: 2 },
    });
    throttledServer = await listen(0, [throttled.handle]);
  });

  afterAll(async () => {
    await server?.close();
    await throttledServer?.close();
    await lambda?.close();
  });

  it('issues a Cognito-shaped access token for HTTP Basic client credentials', async () => {
    const response = await requestToken(basic(clientId, clientSecret));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(3600);
    const claims = decodeJwt(body.access_token);
    expect(claims).toMatchObject({ sub: clientId, client_id: clientId, token_use: 'access' });
    expect(String(claims.scope).split(' ').sort()).toEqual(['takedown/read', 'takedown/write']);
    expect(claims.iss).toBe(cognito.issuerOf(template.userPools[0]?.logicalId ?? ''));
    expect(typeof claims.jti).toBe('string');
    const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys[0]?.kid).toBeTruthy();
  });

  it('refuses a wrong secret and a scope the client may not have', async () => {
    const wrong = await requestToken(basic(clientId, 'not-the-secret'));
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ error: 'invalid_client' });
    const scope = await requestToken(basic(clientId, clientSecret), 'takedown/admin');
    expect(await scope.json()).toEqual({ error: 'invalid_scope' });
  });

  it('keeps client secrets and the signing key in the data dir across restarts, readable only by the owner', async () => {
    const again = await createLocalCognito({
      dataDir,
      userPools: template.userPools,
      clients: template.userPoolClients,
    });
    expect(again.clients[0]?.clientSecret).toBe(clientSecret);
    expect(again.jwks).toEqual(cognito.jwks);
    expect(statSync(join(dataDir, 'cognito', 'signing-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'cognito', 'clients.json')).mode & 0o777).toBe(0o600);
  });

  it('passes an authorized request to the function as a proxy 1.0 event with claims, with or without the stage', async () => {
    const token = await tokenFor('takedown/read');
    for (const prefix of ['/prod', '']) {
      const response = await fetch(`${server.url}${prefix}/v1/items/abc%20d?x=1&x=2&y=3`, {
        headers: { authorization: `Bearer ${token}`, 'x-custom': 'hello' },
      });
      expect(response.status).toBe(200);
      const { event } = (await response.json()) as { event: Record<string, never> };
      expect(event).toMatchObject({
        resource: '/v1/items/{id}',
        path: '/v1/items/abc%20d',
        httpMethod: 'GET',
        pathParameters: { id: 'abc d' },
        queryStringParameters: { x: '2', y: '3' },
        multiValueQueryStringParameters: { x: ['1', '2'], y: ['3'] },
        body: null,
        isBase64Encoded: false,
      });
      expect(event.headers).toMatchObject({ 'x-custom': 'hello' });
      expect(event.requestContext).toMatchObject({
        stage: 'prod',
        resourcePath: '/v1/items/{id}',
        identity: { sourceIp: '127.0.0.1' },
        authorizer: { claims: { client_id: clientId, scope: 'takedown/read', token_use: 'access' } },
      });
    }
  });

  it('answers 401 with the template gateway response when the token is missing, expired, or lacks the scope', async () => {
    const missing = await fetch(`${server.url}/prod/v1/items`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    const body = (await missing.json()) as { title: string; detail: string; requestId: string };
    expect(body.title).toBe('Unauthorized');
    expect(body.requestId).toBe(missing.headers.get('x-amzn-requestid'));

    const readOnly = await tokenFor('takedown/read');
    const post = await fetch(`${server.url}/prod/v1/items`, {
      method: 'POST',
      headers: { authorization: readOnly },
      body: '{}',
    });
    expect(post.status).toBe(401);

    const shortLived = await createLocalCognito({
      dataDir,
      userPools: template.userPools,
      clients: template.userPoolClients,
      tokenLifetimeSeconds: -60,
    });
    const expired = (await shortLived.issueToken(clientId)).access_token;
    const late = await fetch(`${server.url}/prod/v1/items`, { headers: { authorization: expired } });
    expect(late.status).toBe(401);
    expect(((await late.json()) as { detail: string }).detail).toBe('The incoming token has expired');

    const forged = `${readOnly.slice(0, -4)}AAAA`;
    const bad = await fetch(`${server.url}/prod/v1/items`, { headers: { authorization: forged } });
    expect(bad.status).toBe(401);
  });

  it('answers an unknown path with 403 Missing Authentication Token through DEFAULT_4XX', async () => {
    const response = await fetch(`${server.url}/prod/nowhere`);
    expect(response.status).toBe(403);
    expect(response.headers.get('x-problem')).toBe('yes');
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await response.json()).toEqual({ problem: 'Missing Authentication Token' });
  });

  it('routes {proxy+} without authorization', async () => {
    const response = await fetch(`${server.url}/public/a/b/c`, { method: 'PUT', body: 'text' });
    expect(response.status).toBe(200);
    const { event } = (await response.json()) as { event: Record<string, unknown> };
    expect(event.pathParameters).toEqual({ proxy: 'a/b/c' });
    expect(event.body).toBe('text');
    expect(event.resource).toBe('/public/{proxy+}');
  });

  it('answers 413 past 10 MB, 504 past the integration timeout and 502 when the function fails', async () => {
    const large = await fetch(`${server.url}/public/x`, {
      method: 'POST',
      body: 'z'.repeat(10 * 1024 * 1024 + 1),
    });
    expect(large.status).toBe(413);
    const slow = await fetch(`${server.url}/public/x?sleepMs=2500`);
    expect(slow.status).toBe(504);
    expect(await slow.json()).toEqual({ message: 'Endpoint request timed out' });
    const failing = await fetch(`${server.url}/public/x?fail=1`);
    expect(failing.status).toBe(502);
  });

  it('throttles a client past its token bucket with 429 and Retry-After', async () => {
    const token = await tokenFor('takedown/read');
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${throttledServer.url}/prod/v1/items`, {
        headers: { authorization: token },
      });
      statuses.push(response.status);
      retryAfter = response.headers.get('retry-after') ?? retryAfter;
      await response.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });
});
