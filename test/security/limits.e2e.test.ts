import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiGateway } from '../../local/cloud/api-gateway';
import { createLocalCognito } from '../../local/cloud/cognito';
import { listen, type RunningServer } from '../../local/cloud/http-util';
import { readLocalTemplate } from '../../local/cloud/template';
import { AGENCY, api, cloud, type E2eCloud, getToken, OTHER_AGENCY, orderBody } from '../e2e/harness';
import { dataDir, expectProblem, problemFields, refusedRequests } from './attack-helpers';

const newMarker = () => `lim${randomBytes(6).toString('hex')}`;
/** Every refused request of this file: that none left a record behind is checked by its last test, in one scan. */
const requests = refusedRequests();

async function submitRaw(body: string, marker: string, target?: E2eCloud) {
  return api('POST', '/v1/takedown-requests', {
    as: AGENCY,
    body,
    headers: { 'idempotency-key': marker },
    target,
  });
}

describe('limits: body size', () => {
  it('answers 413 to a body over 4 MB and stores nothing', async () => {
    const marker = newMarker();
    const items = Array.from({ length: 2_400 }, (_, index) => ({
      kind: 'url',
      locator: `https://example.test/${marker}/${index}/${'a'.repeat(1_800)}`,
    }));
    const body = JSON.stringify(orderBody({ reference: marker, items }));
    expect(body.length).toBeGreaterThan(4 * 1024 * 1024);
    expect(body.length).toBeLessThan(6 * 1024 * 1024);
    expectProblem(await submitRaw(body, marker), [413]);
    requests.refused(marker, 'a body over 4 MB');
  });

  it('answers 413 from the gateway to a body over 10 MB and stores nothing', async () => {
    const marker = newMarker();
    const body = JSON.stringify(orderBody({ reference: marker, reason: 'r'.repeat(10.5 * 1024 * 1024) }));
    expectProblem(await submitRaw(body, marker), [413]);
    requests.refused(marker, 'a body over 10 MB');
  });
});

describe('limits: counts and lengths answer 422 naming the field', () => {
  const cases: [string, (marker: string) => Record<string, unknown>, string][] = [
    [
      '10,001 items',
      (marker) =>
        orderBody({
          reference: marker,
          items: Array.from({ length: 10_001 }, (_, index) => ({ kind: 'url', locator: `u/${index}` })),
        }),
      'items',
    ],
    [
      'a 2,049-character locator',
      (marker) => orderBody({ reference: marker, items: [{ kind: 'url', locator: 'l'.repeat(2_049) }] }),
      'items[0].locator',
    ],
    [
      'a 10,001-character reason',
      (marker) => orderBody({ reference: marker, reason: 'r'.repeat(10_001) }),
      'reason',
    ],
    [
      'a 201-character reference',
      (marker) => orderBody({ reference: `${marker}${'x'.repeat(201)}` }),
      'reference',
    ],
    [
      'a 2,001-character item note',
      (marker) =>
        orderBody({
          reference: marker,
          items: [{ kind: 'url', locator: `u/${marker}`, note: 'n'.repeat(2_001) }],
        }),
      'items[0].note',
    ],
    [
      '21 legal bases',
      (marker) =>
        orderBody({ reference: marker, legalBasis: Array.from({ length: 21 }, (_, i) => `basis ${i}`) }),
      'legalBasis',
    ],
    [
      '101 evidence entries',
      (marker) =>
        orderBody({
          reference: marker,
          evidence: Array.from({ length: 101 }, (_, i) => ({
            uri: `https://e.test/${i}`,
            sha256: 'a'.repeat(64),
          })),
        }),
      'evidence',
    ],
    [
      'a 201-character officer',
      (marker) => orderBody({ reference: marker, officer: 'o'.repeat(201) }),
      'officer',
    ],
  ];

  it.each(cases)('refuses %s with 422 naming the field and stores nothing', async (name, build, field) => {
    const marker = newMarker();
    const problem = expectProblem(await submitRaw(JSON.stringify(build(marker)), marker), [422]);
    expect(problemFields(problem)).toContain(field);
    requests.refused(marker, name);
  });

  // Exactly 10,000 items, one with a 2,048-character locator, are accepted: test/e2e/async-intake.test.ts submits
  // that order (the most an order may hold is above the asynchronous intake's threshold).
});

/**
 * The shared cloud runs without a rate limit (other e2e tests send bursts), so this test puts a second API
 * Gateway in front of the same template, token key and Lambda functions, with a small per-client bucket.
 */
describe('limits: request rate per agency (token bucket per client)', () => {
  let server: RunningServer;
  let limited: E2eCloud;

  beforeAll(async () => {
    const shared = cloud();
    const template = readLocalTemplate(join(dirname(shared.progressLogPath), 'cdk.out'), 'Tenggat');
    const restApi = template.restApis[0];
    if (!restApi) throw new Error('the template has no REST API');
    const cognito = await createLocalCognito({
      dataDir: dataDir(),
      userPools: template.userPools,
      clients: template.userPoolClients,
    });
    const gateway = createApiGateway({
      api: restApi,
      // One new request every 50 s: the budget cannot refill while the test runs on a busy machine.
      rateLimit: { ratePerSecond: 0.02, burst: 4 },
      verifyAccessToken: cognito.verifyAccessToken,
      invoke: async (name, payload) => {
        const response = await fetch(`${shared.awsEndpoint}/2015-03-31/functions/${name}/invocations`, {
          method: 'POST',
          body: payload,
        });
        return {
          statusCode: response.status,
          functionError: response.headers.get('x-amz-function-error') ?? undefined,
          payload: Buffer.from(await response.arrayBuffer()),
          requestId: response.headers.get('x-amz-request-id') ?? 'local',
        };
      },
    });
    server = await listen(0, [gateway.handle]);
    limited = { ...shared, apiUrl: `${server.url}/${restApi.stageNames[0] ?? 'prod'}` };
  });

  afterAll(async () => {
    await server?.close();
  });

  it('answers 429 with Retry-After past the agency’s budget, stores nothing, and leaves other agencies alone', async () => {
    const token = await getToken(AGENCY);
    const statuses: number[] = [];
    for (let request = 0; request < 4; request++) {
      statuses.push((await api('GET', '/v1/takedown-requests', { token, target: limited })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200]);
    const marker = newMarker();
    const throttled = await api('POST', '/v1/takedown-requests', {
      token,
      body: orderBody({ reference: marker }),
      headers: { 'idempotency-key': marker },
      target: limited,
    });
    expectProblem(throttled, [429]);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    requests.refused(marker, 'a throttled submission');
    // A fresh token of the same agency client shares the bucket; another agency has its own.
    expect((await api('GET', '/v1/takedown-requests', { as: AGENCY, target: limited })).status).toBe(429);
    expect((await api('GET', '/v1/takedown-requests', { as: OTHER_AGENCY, target: limited })).status).toBe(
      200,
    );
  });
});

describe('limits: what was refused', () => {
  it('stored nothing of any refused request above (their markers appear in no record of the table)', async () => {
    const { checked, stored } = await requests.storedOf();
    expect(checked).toBeGreaterThanOrEqual(1);
    expect(stored).toEqual({});
  });
});
