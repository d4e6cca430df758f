import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AGENCY,
  cloud,
  getToken,
  OPERATOR,
  type OrderView,
  orderBody,
  type PlatformReceiver,
  registerPlatform,
  startPlatformReceiver,
  submitOrder,
  waitForOrder,
} from '../e2e/harness';
import {
  isAnsweredAndClosed,
  orderPartition,
  recordsMentioning,
  settledOrderPartition,
} from './attack-helpers';

const SEED = 20261127;

/** Status codes seen per route, reported at the end (the issue asks for the counts per class). */
const statusCounts = new Map<string, Map<number, number>>();
/** Markers of requests that were refused: none of them may have left a record. */
const refusedMarkers: { route: string; marker: string; status: number }[] = [];

function count(route: string, status: number) {
  const perRoute = statusCounts.get(route) ?? new Map<number, number>();
  perRoute.set(status, (perRoute.get(status) ?? 0) + 1);
  statusCounts.set(route, perRoute);
}

const newMarker = () => `fz${randomBytes(6).toString('hex')}`;

// --- generators -------------------------------------------------------------------------------------------

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const adversarialText = fc.constantFrom(
  '{% $states %}',
  '{% $states.input %}',
  '{% $eval("1+1") %}',
  '$..*',
  '$.items[*].locator',
  '$$.Execution.Input',
  '__proto__',
  'constructor',
  'prototype',
  "' OR '1'='1' --",
  '"; DROP TABLE orders; --',
  '<script>alert(document.cookie)</script>',
  '<img src=x onerror=alert(1)>',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  'http://169.254.169.254/latest/meta-data/',
  ['$', '{jndi:ldap://127.0.0.1/a}'].join(''), // Log4Shell
  'ORDER#x',
  'AGENCY#polri-siber',
  '\u0000',
  '\u0000\u0001\u001f',
  '\uFEFF',
  '\u202E\u2066',
  '\uD83D\uDE00\u200D\uD83D\uDCBB',
  'e\u0301\u0301\u0301',
  '\uFFFF\uFFFE',
  ' ',
  '',
);
const hostileText = fc.oneof(
  { weight: 3, arbitrary: adversarialText },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: loneSurrogate, minLength: 1, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.integer({ min: 2_049, max: 200_000 }).map((length) => 'x'.repeat(length)) },
);
const hostileKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '',
    '$',
    '{% $states %}',
  ),
  fc.string({ maxLength: 8 }),
);
const { hostileValue } = fc.letrec<{ hostileValue: unknown }>((tie) => ({
  hostileValue: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    hostileText,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('hostileValue'), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie('hostileValue'), { maxKeys: 4 }),
  ),
}));

/** Raw JSON text: valid JSON of any shape, or broken on purpose. */
function rawBodies(valid: Record<string, unknown>): fc.Arbitrary<string> {
  const validText = JSON.stringify(valid);
  const fields = Object.keys(valid);
  return fc.oneof(
    hostileValue.map((value) => JSON.stringify(value) ?? 'null'),
    fc
      .record({
        field: fc.constantFrom(...fields, '__proto__', 'constructor', 'agencyId'),
        value: hostileValue,
      })
      .map(({ field, value }) => JSON.stringify({ ...valid, [field]: value })),
    // duplicate keys: the last one wins in JSON.parse; the value must still be validated
    fc
      .record({ field: fc.constantFrom(...fields), value: hostileValue })
      .map(({ field, value }) => `${validText.slice(0, -1)},"${field}":${JSON.stringify(value) ?? 'null'}}`),
    fc.constantFrom(
      `{"__proto__":{"polluted":true},${validText.slice(1)}`,
      `{"constructor":{"prototype":{"polluted":true}},${validText.slice(1)}`,
      `${validText.slice(0, -1)},"__proto__":null}`,
    ),
    fc.integer({ min: 1, max: 200_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
    fc.integer({ min: 1, max: 50_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
    fc.integer({ min: 0, max: validText.length - 1 }).map((end) => validText.slice(0, end)),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.constantFrom('', 'null', 'true', '0', '[]', '"x"', '{}', '\uFEFF{}', '{"a":1}garbage', 'NaN'),
  );
}

const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 300,
});
/** An extra header whose name shadows Object.prototype or an AWS-internal header. */
const extraHeader = fc.option(
  fc.tuple(
    fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'x-amz-function-error',
      'x-amzn-requestid',
      'webhook-id',
    ),
    fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
      maxLength: 40,
    }),
  ),
  { nil: undefined },
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/problem+json',
  '',
);

function encodeSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    // lone surrogates cannot be encoded; send their UTF-8-looking bytes instead
    return '%ED%A0%80';
  }
}
const pathSegment = fc.oneof(
  fc.string({ maxLength: 40 }).map(encodeSegment),
  fc.string({ unit: 'binary', maxLength: 40 }).map(encodeSegment),
  adversarialText.map(encodeSegment),
  fc.constantFrom(
    '%ED%A0%80',
    '%C0%AE%C0%AE',
    '%00',
    '..%2F..%2F',
    '%25',
    '%FF%FE',
    'x'.repeat(3_000),
    '.',
    '..',
  ),
);
const queryString = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom('status', 'platformId', 'limit', 'cursor', '__proto__'), headerText),
      hostileText,
    ),
    {
      maxLength: 4,
    },
  )
  .map((pairs) =>
    pairs.length === 0
      ? ''
      : `?${pairs.map(([key, value]) => `${encodeSegment(key)}=${encodeSegment(value)}`).join('&')}`,
  );

// --- sending ------------------------------------------------------------------------------------------------

async function send(
  route: string,
  method: string,
  path: string,
  options: { token?: string; body?: string; headers?: Record<string, string>; marker?: string },
): Promise<number> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${cloud().apiUrl}${path}`, { method, headers, body: options.body });
  const text = await response.text();
  count(route, response.status);
  expect(response.status, `${method} ${path} → ${text.slice(0, 300)}`).toBeLessThan(500);
  // Over-long request lines and headers are refused by the HTTP server itself, before any gateway or function
  // runs (Node's 16 KB limit here; API Gateway's 10 KB request-line-and-headers quota on AWS): no problem document.
  if (response.status === 414 || response.status === 431) return response.status;
  if (response.status >= 400) {
    expect(response.headers.get('content-type') ?? '', text.slice(0, 200)).toMatch(
      /^application\/problem\+json/,
    );
    const problem = JSON.parse(text) as { type?: unknown; title?: unknown };
    expect(typeof problem.type).toBe('string');
    expect(typeof problem.title).toBe('string');
    if (options.marker) refusedMarkers.push({ route, marker: options.marker, status: response.status });
  }
  return response.status;
}

// --- fixtures ------------------------------------------------------------------------------------------------

let agencyToken: string;
let operatorToken: string;
let closedOrder: OrderView;
let platformOrder: OrderView;
let receiver: PlatformReceiver;
let platform: { id: string; notificationSecret: string; responseSecret: string };
const started = Date.now();

beforeAll(async () => {
  agencyToken = await getToken(AGENCY);
  operatorToken = await getToken(OPERATOR);
  receiver = await startPlatformReceiver();
  platform = await registerPlatform(receiver.url);
  receiver.attach(platform);
  const closed = await submitOrder(orderBody());
  const onOurPlatform = await submitOrder(orderBody({ platformId: platform.id }));
  closedOrder = await waitForOrder(closed.body.id, isAnsweredAndClosed, {
    timeoutMs: 90_000,
  });
  await waitForOrder(onOurPlatform.body.id, (order) => order.notifiedAt !== null);
  await receiver.answer(
    onOurPlatform.body.id,
    onOurPlatform.body.items.map((item) => ({ itemId: item.id, outcome: 'removed' })),
  );
  platformOrder = await waitForOrder(onOurPlatform.body.id, isAnsweredAndClosed);
});

afterAll(async () => {
  await receiver?.close();
  const lines = [...statusCounts.entries()].map(
    ([route, statuses]) =>
      `${route.padEnd(44)} ${[...statuses.entries()]
        .sort(([a], [b]) => a - b)
        .map(([status, n]) => `${status}×${n}`)
        .join(' ')}`,
  );
  console.log(
    `hostile input: ${[...statusCounts.values()].reduce((sum, statuses) => sum + [...statuses.values()].reduce((a, b) => a + b, 0), 0)} requests in ${((Date.now() - started) / 1000).toFixed(1)} s\n${lines.join('\n')}`,
  );
});

// --- properties ------------------------------------------------------------------------------------------

describe('hostile input at every route: a 4xx problem document or a legitimate 2xx, never a 5xx', () => {
  it('POST /v1/takedown-requests: bodies, content types and idempotency keys; refused ones leave no record', async () => {
    const valid = orderBody({}, 2);
    await fc.assert(
      fc.asyncProperty(
        rawBodies(valid),
        contentType,
        fc.option(headerText, { nil: undefined }),
        extraHeader,
        async (body, type, keySuffix, extra) => {
          const marker = newMarker();
          await send('POST /v1/takedown-requests', 'POST', '/v1/takedown-requests', {
            token: agencyToken,
            body,
            headers: {
              ...(extra ? { [extra[0]]: extra[1] } : {}),
              ...(type ? { 'content-type': type } : {}),
              'idempotency-key': `${marker}${keySuffix ?? ''}`,
            },
            marker,
          });
        },
      ),
      { numRuns: 150, seed: SEED },
    );
  });

  it('GET routes: hostile path parameters and query strings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('', '/items', '/audit'),
        fc.oneof(pathSegment, fc.constant(closedOrder.id)),
        queryString,
        extraHeader,
        async (suffix, id, query, extra) => {
          await send(
            `GET /v1/takedown-requests/{id}${suffix}`,
            'GET',
            `/v1/takedown-requests/${id}${suffix}${query}`,
            {
              token: agencyToken,
              headers: extra ? { [extra[0]]: extra[1] } : {},
            },
          );
        },
      ),
      { numRuns: 150, seed: SEED },
    );
    await fc.assert(
      fc.asyncProperty(queryString, async (query) => {
        await send('GET /v1/takedown-requests', 'GET', `/v1/takedown-requests${query}`, {
          token: agencyToken,
        });
      }),
      { numRuns: 100, seed: SEED },
    );
  });

  it('POST withdrawal and review: hostile ids and bodies; a closed order’s records never move', async () => {
    const before = await settledOrderPartition(closedOrder.id);
    const itemIds = closedOrder.items.map((item) => item.id);
    for (const [name, valid] of [
      ['withdrawal', { reason: 'withdrawn by fuzzing' }],
      ['review', { itemIds, decision: 'withdraw', note: 'fuzz' }],
    ] as const) {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { weight: 3, arbitrary: fc.constant(closedOrder.id) },
            { weight: 1, arbitrary: pathSegment },
          ),
          rawBodies(valid),
          contentType,
          async (id, body, type) => {
            await send(
              `POST /v1/takedown-requests/{id}/${name}`,
              'POST',
              `/v1/takedown-requests/${id}/${name}`,
              {
                token: agencyToken,
                body,
                headers: type ? { 'content-type': type } : {},
              },
            );
          },
        ),
        { numRuns: 100, seed: SEED },
      );
    }
    expect(await orderPartition(closedOrder.id)).toEqual(before);
  });

  it('POST /v1/platforms/{platformId}/responses: signed hostile bodies and hostile signature headers', async () => {
    const before = await orderPartition(platformOrder.id);
    const valid = {
      takedownRequestId: platformOrder.id,
      items: [{ itemId: platformOrder.items[0]?.id, outcome: 'removed' }],
    };
    await fc.assert(
      fc.asyncProperty(
        rawBodies(valid),
        fc.boolean(),
        fc.record({ id: headerText, timestamp: headerText, signature: headerText }),
        pathSegment,
        async (body, signed, forged, otherPlatformId) => {
          const marker = newMarker();
          const now = new Date();
          const headers = signed
            ? {
                'webhook-id': marker,
                'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
                'webhook-signature': new Webhook(platform.responseSecret).sign(marker, now, body),
              }
            : {
                'webhook-id': `${marker}${forged.id}`,
                'webhook-timestamp': forged.timestamp,
                'webhook-signature': forged.signature,
              };
          const platformId = signed ? platform.id : otherPlatformId;
          await send(
            'POST /v1/platforms/{platformId}/responses',
            'POST',
            `/v1/platforms/${platformId}/responses`,
            {
              body,
              headers: { 'content-type': 'application/json', ...headers },
              marker,
            },
          );
        },
      ),
      { numRuns: 150, seed: SEED },
    );
    expect(await orderPartition(platformOrder.id)).toEqual(before);
  });

  it('operator routes: hostile registrations, platform ids and redelivery ids', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        rawBodies({
          id: 'placeholder',
          name: 'Fuzz',
          webhookUrl: 'http://127.0.0.1:9/hook',
          contactEmail: 'fuzz@example.com',
        }),
        async (_n, body) => {
          const marker = newMarker();
          // The id carries the marker, so whatever the body does, a stored registration is findable.
          const withMarker = body.replace('"placeholder"', `"${marker}"`);
          await send('POST /v1/platforms', 'POST', '/v1/platforms', {
            token: operatorToken,
            body: withMarker,
            headers: { 'content-type': 'application/json' },
            marker,
          });
        },
      ),
      { numRuns: 100, seed: SEED },
    );
    await fc.assert(
      fc.asyncProperty(pathSegment, fc.constantFrom('secret-rotation', 'redelivery'), async (id, action) => {
        const path =
          action === 'redelivery'
            ? `/v1/takedown-requests/${id}/redelivery`
            : `/v1/platforms/${id}/secret-rotation`;
        await send(
          `POST ${action === 'redelivery' ? '/v1/takedown-requests/{id}/redelivery' : '/v1/platforms/{id}/secret-rotation'}`,
          'POST',
          path,
          {
            token: operatorToken,
            body: '{}',
            headers: { 'content-type': 'application/json' },
          },
        );
      }),
      { numRuns: 80, seed: SEED },
    );
    await fc.assert(
      fc.asyncProperty(queryString, headerText, async (query, accept) => {
        await send('GET /v1/platforms', 'GET', `/v1/platforms${query}`, {
          token: operatorToken,
          headers: { accept },
        });
      }),
      { numRuns: 30, seed: SEED },
    );
  });

  it('left no record behind for any refused request', async () => {
    expect(refusedMarkers.length).toBeGreaterThan(100);
    const leftovers: string[] = [];
    const everything = await recordsMentioning('fz');
    for (const { route, marker, status } of refusedMarkers) {
      const found = everything.filter((key) => key.includes(marker));
      if (found.length) leftovers.push(`${route} ${status}: ${found.join(', ')}`);
    }
    expect(leftovers).toEqual([]);
  });
});
