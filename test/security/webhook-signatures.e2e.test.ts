import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  getOrder,
  OPERATOR,
  type OrderView,
  orderBody,
  registerPlatform,
  submitOrder,
  waitFor,
} from '../e2e/harness';
import { expectProblem, orderPartition, recordsMentioning } from './attack-helpers';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A platform receiver that keeps the raw request, so signatures can be checked byte for byte. */
let server: Server;
const received: Received[] = [];
let platform: { id: string; notificationSecret: string; responseSecret: string };

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  platform = await registerPlatform(`http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`);
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

async function liveOrder(): Promise<OrderView> {
  const submitted = await submitOrder(orderBody({ platformId: platform.id }, 3));
  expect(submitted.status).toBe(201);
  return submitted.body;
}

interface SignedRequest {
  webhookId: string;
  body: string;
  headers: Record<string, string>;
}

function sign(body: string, options: { secret?: string; at?: Date; webhookId?: string } = {}): SignedRequest {
  const webhookId = options.webhookId ?? `msg_${randomUUID()}`;
  const at = options.at ?? new Date();
  return {
    webhookId,
    body,
    headers: {
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(options.secret ?? platform.responseSecret).sign(webhookId, at, body),
    },
  };
}

function answerBody(order: OrderView, itemIndex = 0): string {
  const item = order.items[itemIndex];
  if (!item) throw new Error(`order ${order.id} has no item ${itemIndex}`);
  return JSON.stringify({ takedownRequestId: order.id, items: [{ itemId: item.id, outcome: 'removed' }] });
}

const post = (request: Pick<SignedRequest, 'body' | 'headers'>) =>
  api<{ results: { itemId: string; result: string }[] }>('POST', `/v1/platforms/${platform.id}/responses`, {
    body: request.body,
    headers: request.headers,
  });

const SIX_MINUTES = 6 * 60_000;

describe('inbound platform answers: Standard Webhooks signature', () => {
  const forgeries: [string, (order: OrderView) => SignedRequest][] = [
    [
      'unsigned',
      (order) => {
        const request = sign(answerBody(order));
        const { 'webhook-signature': _dropped, ...headers } = request.headers;
        return { ...request, headers };
      },
    ],
    [
      'forged (random bytes)',
      (order) => {
        const request = sign(answerBody(order));
        return {
          ...request,
          headers: { ...request.headers, 'webhook-signature': `v1,${randomBytes(32).toString('base64')}` },
        };
      },
    ],
    [
      'truncated',
      (order) => {
        const request = sign(answerBody(order));
        const signature = request.headers['webhook-signature'] ?? '';
        return { ...request, headers: { ...request.headers, 'webhook-signature': signature.slice(0, -8) } };
      },
    ],
    [
      'signed with the wrong secret',
      (order) => sign(answerBody(order), { secret: `whsec_${randomBytes(24).toString('base64')}` }),
    ],
    [
      'signed with our notification secret (the other direction)',
      (order) => sign(answerBody(order), { secret: platform.notificationSecret }),
    ],
    [
      'timestamped 6 minutes ago',
      (order) => sign(answerBody(order), { at: new Date(Date.now() - SIX_MINUTES) }),
    ],
    [
      'timestamped 6 minutes ahead',
      (order) => sign(answerBody(order), { at: new Date(Date.now() + SIX_MINUTES) }),
    ],
    [
      'with the body changed after signing',
      (order) => {
        const request = sign(answerBody(order));
        return { ...request, body: request.body.replace('"removed"', '"not_found"') };
      },
    ],
    [
      'with the webhook-id changed after signing',
      (order) => {
        const request = sign(answerBody(order));
        const webhookId = `msg_${randomUUID()}`;
        return { ...request, webhookId, headers: { ...request.headers, 'webhook-id': webhookId } };
      },
    ],
    [
      'with the timestamp changed after signing',
      (order) => {
        const request = sign(answerBody(order));
        const shifted = String(Number(request.headers['webhook-timestamp']) - 30);
        return { ...request, headers: { ...request.headers, 'webhook-timestamp': shifted } };
      },
    ],
  ];

  let order: OrderView;
  beforeAll(async () => {
    order = await liveOrder();
  });

  it.each(forgeries)('refuses an answer %s with 401 and applies nothing', async (_name, forge) => {
    const request = forge(order);
    const before = await orderPartition(order.id);
    const response = await post(request);
    expectProblem(response, [401]);
    expect((await getOrder(order.id)).items.every((item) => item.outcome === null)).toBe(true);
    expect(await recordsMentioning(request.webhookId)).toEqual([]);
    const answered = (records: string[]) => records.filter((record) => record.includes('"removed"'));
    expect(answered(await orderPartition(order.id))).toEqual(answered(before));
  });
});

describe('inbound platform answers: replay', () => {
  it('processes a replayed webhook-id once and returns the first answer', async () => {
    const order = await liveOrder();
    const first = sign(answerBody(order, 0));
    const firstResponse = await post(first);
    expect(firstResponse.status).toBe(200);
    expect(firstResponse.body.results.map((result) => result.result)).toEqual(['applied']);
    const afterFirst = await orderPartition(order.id);

    const replay = await post(first);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(firstResponse.body);
    // Same id re-signed over another item's answer: still the first answer's effect only.
    const reused = await post(sign(answerBody(order, 1), { webhookId: first.webhookId }));
    expect([200, 409]).toContain(reused.status);

    const view = await getOrder(order.id);
    expect(view.items.filter((item) => item.outcome !== null).map((item) => item.id)).toEqual([
      order.items[0]?.id,
    ]);
    const firstItemId = String(order.items[0]?.id);
    const answeredRecords = (await orderPartition(order.id)).filter(
      (record) => record.includes('"AUDIT#') && record.includes(firstItemId),
    );
    expect(answeredRecords).toEqual(
      afterFirst.filter((record) => record.includes('"AUDIT#') && record.includes(firstItemId)),
    );
  });
});

async function rotate(platformId: string) {
  const rotation = await api<{
    notificationSecret: string;
    responseSecret: string;
    previousSecretsValidUntil: string;
  }>('POST', `/v1/platforms/${platformId}/secret-rotation`, { as: OPERATOR, body: {} });
  expect(rotation.status).toBe(200);
  expect(Date.parse(rotation.body.previousSecretsValidUntil) - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
  return rotation.body;
}

describe('secret rotation over HTTP', () => {
  it('keeps both secrets valid during the overlap and signs our webhooks with both', async () => {
    const original = await registerPlatform(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
    );
    const rotated = await rotate(original.id);

    const submitted = await submitOrder(orderBody({ platformId: original.id }, 3));
    expect(submitted.status).toBe(201);
    const order = submitted.body;
    const notification = await waitFor(() => received.find((request) => request.body.includes(order.id)), {
      what: 'the takedown.requested webhook',
    });
    expect(String(notification.headers['webhook-signature']).split(' ')).toHaveLength(2);
    const headers = notification.headers as Record<string, string>;
    expect(() => new Webhook(original.notificationSecret).verify(notification.body, headers)).not.toThrow();
    expect(() => new Webhook(rotated.notificationSecret).verify(notification.body, headers)).not.toThrow();

    const answer = (itemIndex: number, secret: string) => {
      const { body, headers } = sign(answerBody(order, itemIndex), { secret });
      return api<{ results: { result: string }[] }>('POST', `/v1/platforms/${original.id}/responses`, {
        body,
        headers,
      });
    };
    const withOld = await answer(0, original.responseSecret);
    const withNew = await answer(1, rotated.responseSecret);
    expect([withOld.status, withNew.status]).toEqual([200, 200]);
    expect([withOld.body.results[0]?.result, withNew.body.results[0]?.result]).toEqual([
      'applied',
      'applied',
    ]);
  });
});

describe('secret rotation of a platform in use', () => {
  it('accepts answers signed with the new response secret right after the rotation', async () => {
    // The platform has answered and been notified above, so every warm function has seen its old secrets.
    const order = await liveOrder();
    await waitFor(() => received.find((request) => request.body.includes(order.id)), {
      what: 'the takedown.requested webhook',
    });
    // The secrets store re-reads a secret at most once a second per platform after a failed signature.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const rotated = await rotate(platform.id);
    const response = await post(sign(answerBody(order, 0), { secret: rotated.responseSecret }));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.results[0]?.result).toBe('applied');
  });
});
