import { createPrivateKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENCY, api, cloud, getOrder, getToken, OPERATOR, OTHER_AGENCY, orderBody } from '../e2e/harness';
import { dataDir, expectProblem, refusedRequests } from './attack-helpers';

interface RealClaims {
  iss: string;
  client_id: string;
  scope: string;
  kid: string;
}

/** Every refused request's marker: checked in one scan by the last test (a scan takes seconds on a full table). */
const requests = refusedRequests();
let agencyToken: string;
let claims: RealClaims;

/** Signs a token like the local Cognito would, with any key, header and claims an attacker chooses. */
async function forge(
  overrides: Record<string, unknown>,
  options: { key?: ReturnType<typeof createPrivateKey>; expiresInSeconds?: number; kid?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const key =
    options.key ?? createPrivateKey(readFileSync(join(dataDir(), 'cognito', 'signing-key.pem'), 'utf8'));
  return new SignJWT({
    client_id: claims.client_id,
    token_use: 'access',
    scope: claims.scope,
    auth_time: now,
    version: 2,
    ...overrides,
  })
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? claims.kid })
    .setSubject(claims.client_id)
    .setIssuer(String(overrides.iss ?? claims.iss))
    .setIssuedAt(now - 7200)
    .setExpirationTime(now + (options.expiresInSeconds ?? 3600))
    .setJti(randomUUID())
    .sign(key);
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

beforeAll(async () => {
  agencyToken = await getToken(AGENCY);
  const payload = decodeJwt(agencyToken);
  claims = {
    iss: String(payload.iss),
    client_id: String(payload.client_id),
    scope: String(payload.scope),
    kid: String(decodeProtectedHeader(agencyToken).kid),
  };
});

/** Tries to submit an order carrying a unique marker with the given Authorization header; nothing may be stored. */
async function attemptSubmit(authorization: string | undefined) {
  const marker = `attack-${randomUUID()}`;
  const response = await api('POST', '/v1/takedown-requests', {
    body: orderBody({ reference: marker }),
    headers: {
      'idempotency-key': marker,
      ...(authorization === undefined ? {} : { authorization }),
    },
  });
  return { response, marker };
}

describe('identity: the Cognito authorizer on the local cloud', () => {
  const attacks: [string, () => Promise<string | undefined>][] = [
    ['no token', async () => undefined],
    ['an empty bearer', async () => 'Bearer '],
    ['a non-bearer scheme', async () => `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['an expired token', async () => `Bearer ${await forge({}, { expiresInSeconds: -60 })}`],
    [
      'a token from another issuer',
      async () =>
        `Bearer ${await forge({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_attacker' })}`,
    ],
    [
      'a token signed by another key with the same kid',
      async () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return `Bearer ${await forge({}, { key: privateKey })}`;
      },
    ],
    [
      'a tampered signature',
      async () => {
        const [header, payload, signature = ''] = agencyToken.split('.');
        const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
        return `Bearer ${header}.${payload}.${flipped}`;
      },
    ],
    [
      'a payload changed to another agency’s client id under the original signature',
      async () => {
        const [header, , signature] = agencyToken.split('.');
        const otherClient = cloud().clients[OTHER_AGENCY]?.clientId;
        const payload = { ...decodeJwt(agencyToken), client_id: otherClient, sub: otherClient };
        return `Bearer ${header}.${base64url(payload)}.${signature}`;
      },
    ],
    [
      'alg: none',
      async () => {
        const payload = decodeJwt(agencyToken);
        return `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
      },
    ],
    [
      'alg: HS256 keyed with the public JWKS',
      async () => {
        const jwks = await (await fetch(`${new URL(cloud().tokenUrl).origin}/.well-known/jwks.json`)).text();
        return `Bearer ${await new SignJWT({ ...decodeJwt(agencyToken) })
          .setProtectedHeader({ alg: 'HS256', kid: claims.kid })
          .sign(new TextEncoder().encode(jwks))}`;
      },
    ],
    ['an id token instead of an access token', async () => `Bearer ${await forge({ token_use: 'id' })}`],
    ['a token without the write scope', async () => `Bearer ${await forge({ scope: 'takedown/read' })}`],
    ['garbage', async () => 'Bearer not.a.jwt'],
  ];

  it.each(attacks)('refuses %s with a 401/403 problem document and stores nothing', async (name, build) => {
    const { response, marker } = await attemptSubmit(await build());
    expectProblem(response, [401, 403]);
    requests.refused(marker, name);
  });

  it('refuses a read-only token issued by the token endpoint on every write route', async () => {
    const client = cloud().clients[AGENCY];
    if (!client) throw new Error('no agency client');
    const readScope = client.scopes.find((scope) => scope.endsWith('/read'));
    const issued = await fetch(cloud().tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      },
      body: `grant_type=client_credentials&scope=${encodeURIComponent(String(readScope))}`,
    });
    const readOnly = ((await issued.json()) as { access_token: string }).access_token;
    const { response, marker } = await attemptSubmit(`Bearer ${readOnly}`);
    expectProblem(response, [401, 403]);
    for (const [method, path] of [
      ['POST', '/v1/takedown-requests/some-order/withdrawal'],
      ['POST', '/v1/takedown-requests/some-order/review'],
      ['POST', '/v1/platforms'],
    ] as const) {
      expectProblem(await api(method, path, { token: readOnly, body: { reason: marker } }), [401, 403]);
    }
    requests.refused(marker, 'a read-only token on submit and the write routes');
  });

  it('refuses an agency token on the operator routes', async () => {
    const marker = `attack-${randomUUID().slice(0, 8)}`;
    const register = await api('POST', '/v1/platforms', {
      as: AGENCY,
      body: {
        id: marker,
        name: 'x',
        webhookUrl: 'https://hooks.example.com/x',
        contactEmail: 'a@example.com',
      },
    });
    expectProblem(register, [401, 403]);
    expectProblem(
      await api('POST', '/v1/platforms/michat-sandbox/secret-rotation', { as: AGENCY, body: {} }),
      [401, 403],
    );
    requests.refused(marker, 'an agency token on the operator routes');
  });

  it('refuses an operator token on the agency routes', async () => {
    const { response, marker } = await attemptSubmit(`Bearer ${await getToken(OPERATOR)}`);
    expectProblem(response, [401, 403]);
    requests.refused(marker, 'an operator token on the agency routes');
  });
});

describe('identity: the agency comes only from the token', () => {
  it('refuses a body that names an agency, storing nothing', async () => {
    const marker = `attack-${randomUUID()}`;
    const response = await api('POST', '/v1/takedown-requests', {
      as: AGENCY,
      body: orderBody({ reference: marker, agencyId: OTHER_AGENCY }),
      headers: { 'idempotency-key': marker },
    });
    expectProblem(response, [422]);
    requests.refused(marker, 'a body that names an agency');
  });

  it('files an order under the token’s agency whatever headers claim', async () => {
    const marker = `spoof-${randomUUID()}`;
    const response = await api<{ id: string; agencyId: string }>('POST', '/v1/takedown-requests', {
      as: AGENCY,
      body: orderBody({ reference: marker }),
      headers: {
        'idempotency-key': marker,
        'x-agency-id': OTHER_AGENCY,
        'x-amzn-oidc-identity': OTHER_AGENCY,
        'x-forwarded-user': OTHER_AGENCY,
      },
    });
    expect(response.status).toBe(201);
    expect(response.body.agencyId).toBe(AGENCY);
    expect((await getOrder(response.body.id)).agencyId).toBe(AGENCY);
    expect((await api('GET', `/v1/takedown-requests/${response.body.id}`, { as: OTHER_AGENCY })).status).toBe(
      404,
    );
  });
});

describe('identity: what was refused', () => {
  it('stored nothing of any refused request above (their markers appear in no record of the table)', async () => {
    const { checked, stored } = await requests.storedOf();
    expect(checked).toBeGreaterThanOrEqual(1);
    expect(stored).toEqual({});
  });
});
