import type { IncomingMessage } from 'node:http';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerStore } from '../../functions/src/adapters/secrets-manager';
import { InvalidSignatureError } from '../../functions/src/domain/errors';
import type { PlatformSecrets } from '../../functions/src/domain/records';
import { rotateSecrets } from '../../functions/src/use-cases/operator';
import { recordPlatformResponses } from '../../functions/src/use-cases/record-platform-responses';
import { buildProxyEvent } from '../../local/cloud/api-gateway';
import { testWorld } from '../functions/fakes';
import { apiEvent, lambdaContext, setFunctionEnv } from '../functions/handlers/api-event';
import { answersIn, itemResults, registerMichat, submit } from '../functions/lifecycle-helpers';

describe('buildProxyEvent (local API Gateway)', () => {
  it('passes query parameters and headers named like Object.prototype members as plain data', () => {
    const request = {
      rawHeaders: ['__proto__', 'polluted', 'constructor', 'x', 'Host', 'localhost'],
      method: 'GET',
      httpVersion: '1.1',
      headers: {},
      socket: { remoteAddress: '127.0.0.1' },
    } as unknown as IncomingMessage;
    const event = buildProxyEvent(
      request,
      new URL('http://localhost/v1/x?__proto__=a&__proto__=b&constructor=c'),
      {
        method: {
          resourcePath: '/v1/x',
          httpMethod: 'GET',
        } as unknown as Parameters<typeof buildProxyEvent>[2]['method'],
        path: '/v1/x',
        pathParameters: null,
        body: Buffer.alloc(0),
        requestId: 'request-1',
        stage: 'prod',
        apiId: 'api',
        sourceIp: '127.0.0.1',
        claims: undefined,
        started: Date.now(),
      },
    );
    // What the function receives is JSON: every name must arrive as an own key with its values.
    const received = JSON.parse(JSON.stringify(event)) as {
      queryStringParameters: Record<string, string>;
      multiValueQueryStringParameters: Record<string, string[]>;
      headers: Record<string, string>;
    };
    expect(Object.entries(received.queryStringParameters)).toEqual([
      ['__proto__', 'b'],
      ['constructor', 'c'],
    ]);
    expect(Object.entries(received.multiValueQueryStringParameters)).toEqual([
      ['__proto__', ['a', 'b']],
      ['constructor', ['c']],
    ]);
    expect(Object.hasOwn(received.headers, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('the platform responses handler with a validly signed but empty body', () => {
  let makeHandler: typeof import('../../functions/src/handlers/platform-responses').makeHandler;
  beforeAll(async () => {
    // The module wires its own handler from the environment when it loads.
    setFunctionEnv();
    ({ makeHandler } = await import('../../functions/src/handlers/platform-responses'));
  });

  it.each(['', '   ', '\n'])('answers a client error for %j, not a crash', async (rawBody) => {
    const world = testWorld();
    const secrets = await registerMichat(world);
    const webhookId = 'msg_empty_body';
    const now = new Date();
    const response = await makeHandler(world.deps)(
      apiEvent({
        method: 'POST',
        resource: '/v1/platforms/{platformId}/responses',
        pathParameters: { platformId: 'michat' },
        clientId: null,
        body: rawBody,
        headers: {
          'webhook-id': webhookId,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': new Webhook(secrets.responseSecret).sign(webhookId, now, rawBody),
        },
      }),
      lambdaContext,
    );
    expect([400, 401, 422], response.body).toContain(response.statusCode);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
  });
});

describe('platform secrets cached by a warm function', () => {
  const secretsOf = (responseSecret: string): PlatformSecrets => ({
    current: {
      notificationSecret: 'whsec_bm90aWZpY2F0aW9u',
      responseSecret,
      createdAt: '2026-11-27T00:00:00Z',
    },
    previous: null,
  });

  it('reads the secret again when asked for a fresh value, at most once a second', async () => {
    const secretsManager = mockClient(SecretsManagerClient);
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify(secretsOf('whsec_b2xk')) })
      .resolves({ SecretString: JSON.stringify(secretsOf('whsec_bmV3')) });
    const store = new SecretsManagerStore(
      new SecretsManagerClient({ region: 'us-east-1' }),
      'tenggat/platforms/',
    );
    expect((await store.get('michat'))?.current.responseSecret).toBe('whsec_b2xk');
    expect((await store.get('michat'))?.current.responseSecret).toBe('whsec_b2xk');
    // Just read: a fresh read is not repeated within a second (forged requests cannot multiply reads).
    expect((await store.get('michat', { fresh: true }))?.current.responseSecret).toBe('whsec_b2xk');
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await store.get('michat', { fresh: true }))?.current.responseSecret).toBe('whsec_bmV3');
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    secretsManager.restore();
  });

  it('accepts an answer signed with the new response secret although the old secrets were cached', async () => {
    const world = testWorld();
    await registerMichat(world);
    const order = await submit(world);
    // A warm function's cache: the secrets as they were before the rotation, until asked for a fresh read.
    const stale = await world.secrets.get('michat');
    const store = world.secrets;
    world.deps.secrets = {
      get: async (platformId, options) => (options?.fresh ? store.get(platformId) : stale),
      put: (platformId, secrets) => store.put(platformId, secrets),
    };
    const rotated = await rotateSecrets(world.deps, 'michat');
    const item = (await world.orders.allItems(order.id))[0];
    if (!item) throw new Error('the order has no items');
    const rawBody = JSON.stringify({
      takedownRequestId: order.id,
      items: [{ itemId: item.itemId, outcome: 'removed' }],
    });
    const now = new Date();
    const headers = {
      'webhook-id': 'msg_after_rotation',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(rotated.responseSecret).sign('msg_after_rotation', now, rawBody),
    };
    const result = await recordPlatformResponses(world.deps, {
      platformId: 'michat',
      rawBody,
      headers,
      readAnswers: answersIn(rawBody),
    });
    expect(itemResults(result).map((entry) => entry.result)).toEqual(['applied']);
    // A signature that matches no secret, fresh or cached, is still refused.
    const forged = { ...headers, 'webhook-id': 'msg_forged', 'webhook-signature': 'v1,AAAA' };
    await expect(
      recordPlatformResponses(world.deps, {
        platformId: 'michat',
        rawBody,
        headers: forged,
        readAnswers: answersIn(rawBody),
      }),
    ).rejects.toBeInstanceOf(InvalidSignatureError);
  });
});
