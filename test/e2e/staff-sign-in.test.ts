import { readFileSync } from 'node:fs';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { type SignInInput, signIn, signInNewUser } from '../local-cloud/sign-in-driver';
import {
  AGENCY,
  api,
  cloud,
  type OrderView,
  OTHER_AGENCY,
  orderBody,
  SANDBOX_PLATFORM,
  submitOrder,
} from './harness';

interface LocalJson {
  users: Record<string, { password: string; totpSecret: string | null; groups: string[] }>;
  signIn: {
    authorizeUrl: string;
    tokenUrl: string;
    logoutUrl: string;
    consoleClientId: string;
    userPoolId: string;
  };
}
const localJson = () => JSON.parse(readFileSync(cloud().localJsonPath, 'utf8')) as LocalJson;

/** Signs in as a person through the HTML pages, as a browser would, and answers their access token. */
async function signInAs(username: string, password?: string): Promise<string> {
  const { users, signIn: urls } = localJson();
  const user = users[username];
  if (!user?.totpSecret) throw new Error(`no user ${username} in local.json`);
  const origin = new URL(urls.authorizeUrl).origin;
  const input: SignInInput = {
    baseUrl: origin,
    clientId: urls.consoleClientId,
    redirectUri: `${origin}/`,
    username,
    password: password ?? user.password,
    totpSecret: user.totpSecret,
  };
  return (await signIn(input)).access_token;
}

describe('people sign in to the local cloud and act in their one role', () => {
  let komdigiOrder: OrderView;
  let polriOrder: OrderView;
  let officerToken: string;

  beforeAll(async () => {
    komdigiOrder = (await submitOrder(orderBody(), { as: AGENCY })).body;
    polriOrder = (await submitOrder(orderBody(), { as: OTHER_AGENCY })).body;
    officerToken = await signInAs('officer-komdigi');
  });

  it('lists for the komdigi officer only komdigi-ais orders, and records them as the officer of what they submit', async () => {
    expect(decodeJwt(officerToken)).toMatchObject({
      username: 'officer-komdigi',
      token_use: 'access',
      client_id: localJson().signIn.consoleClientId,
    });
    const listed = await api<{ items: OrderView[] }>('GET', '/v1/takedown-requests?limit=100', {
      token: officerToken,
    });
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    const ids = listed.body.items.map((order) => order.id);
    expect(ids).toContain(komdigiOrder.id);
    expect(ids).not.toContain(polriOrder.id);
    expect(new Set(listed.body.items.map((order) => order.agencyId))).toEqual(new Set([AGENCY]));

    const submitted = await api<OrderView & { officer: string }>('POST', '/v1/takedown-requests', {
      token: officerToken,
      body: orderBody({ officer: 'Someone Else' }),
      headers: { 'idempotency-key': `person-${Date.now()}` },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    expect(submitted.body.agencyId).toBe(AGENCY);
    expect(submitted.body.officer).toBe('officer-komdigi');
  });

  it('does not show the polri officer a komdigi order', async () => {
    const polriToken = await signInAs('officer-polri');
    const other = await api('GET', `/v1/takedown-requests/${komdigiOrder.id}`, { token: polriToken });
    expect(other.status).toBe(404);
    const own = await api('GET', `/v1/takedown-requests/${polriOrder.id}`, { token: polriToken });
    expect(own.status).toBe(200);
  });

  it('lets an operator register a platform staff user, who signs in and is refused the agency routes', async () => {
    const operatorToken = await signInAs('operator');
    const officerTries = await api('POST', `/v1/platforms/${SANDBOX_PLATFORM}/users`, {
      token: officerToken,
      body: { username: 'nobody', email: 'nobody@michat.example' },
    });
    expect(officerTries.status).toBe(403);

    const username = `staff-${Date.now()}`;
    const created = await api<{ temporaryPassword: string; group: string }>(
      'POST',
      `/v1/platforms/${SANDBOX_PLATFORM}/users`,
      { token: operatorToken, body: { username, email: `${username}@michat.example` } },
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.group).toBe(`platform:${SANDBOX_PLATFORM}`);
    expect(localJson().users[username]).toMatchObject({
      password: created.body.temporaryPassword,
      groups: [`platform:${SANDBOX_PLATFORM}`],
    });

    // First sign-in: the temporary password, a new one of their own, then an authenticator of their own (the page
    // shows its secret; local.json has none for them until then).
    const { signIn: urls } = localJson();
    expect(localJson().users[username]?.totpSecret).toBeNull();
    const origin = new URL(urls.authorizeUrl).origin;
    const { accessToken: staffToken, totpSecret } = await signInNewUser({
      baseUrl: origin,
      clientId: urls.consoleClientId,
      redirectUri: `${origin}/`,
      username,
      password: created.body.temporaryPassword,
    });
    expect(localJson().users[username]?.totpSecret).toBe(totpSecret);
    expect(decodeJwt(staffToken)['cognito:groups']).toEqual([`platform:${SANDBOX_PLATFORM}`]);
    const refused = await api<{ detail: string }>('GET', '/v1/takedown-requests', { token: staffToken });
    expect(refused.status).toBe(403);
  });
});
