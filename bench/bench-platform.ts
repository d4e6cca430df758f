/**
 * A platform of the benchmark's own on loopback: registered through the operator API, it verifies each
 * notification's Standard Webhooks signature, notes when each one arrived (`performance.now()`), per order, and
 * answers every item of a `takedown.requested` part as removed (signed), as a complying platform does: without
 * that, every order of the run would walk the whole escalation ladder beside the measurements.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';
import type { LocalCloud } from '../local/cloud/main';
import { ApiBenchError } from './local-api';

interface Arrival {
  type: string;
  at: number;
  part: number;
  parts: number;
}

export interface BenchPlatform {
  url: string;
  /** Registers the platform (operator token) and returns its id; notifications are verified from then on. */
  register(cloud: LocalCloud, operatorToken: string): Promise<string>;
  /** When the first notification of `type` for the order arrived; waits up to `timeoutMs`. */
  arrival(orderId: string, type: string, timeoutMs: number): Promise<number>;
  /** When the last of every part of the order's `type` notification arrived. */
  allPartsArrival(orderId: string, type: string, timeoutMs: number): Promise<number>;
  /** Notifications whose signature did not verify. */
  badSignatures(): number;
  close(): Promise<void>;
}

interface Registered {
  id: string;
  apiUrl: string;
  notifications: Webhook;
  answers: Webhook;
}

/** Answers the items of one notice part as removed, signed with the platform's response secret. */
async function answerRemoved(
  platform: Registered,
  orderId: string,
  itemIds: readonly string[],
): Promise<void> {
  const body = JSON.stringify({
    takedownRequestId: orderId,
    items: itemIds.map((itemId) => ({ itemId, outcome: 'removed' })),
  });
  // A 409 "retry shortly" (the order changed under the answer) is answered again, as a platform's client would.
  for (let attempt = 1; ; attempt += 1) {
    const webhookId = `msg_${randomBytes(12).toString('hex')}`;
    const now = new Date();
    const response = await fetch(`${platform.apiUrl}/v1/platforms/${platform.id}/responses`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': webhookId,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': platform.answers.sign(webhookId, now, body),
      },
      body,
    });
    if (response.ok) return;
    if (response.status !== 409 || attempt === ANSWER_ATTEMPTS)
      throw new ApiBenchError(`answer to ${orderId}: ${response.status} ${await response.text()}`);
    await response.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
  }
}

const ANSWER_ATTEMPTS = 5;

export async function startBenchPlatform(): Promise<BenchPlatform> {
  let registered: Registered | undefined;
  const answering: Promise<void>[] = [];
  // One order's parts are answered one after another: parallel answers to one order contend for its record (each
  // part of a 10,000-item order took 20-28 s when all ten ran at once, one past API Gateway's 29 s).
  const lastAnswer = new Map<string, Promise<void>>();
  let badSignatures = 0;
  const arrivals = new Map<string, Arrival[]>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = performance.now();
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        registered?.notifications.verify(raw, request.headers as Record<string, string>);
      } catch {
        badSignatures += 1;
      }
      const body = JSON.parse(raw) as {
        type: string;
        data: { order: { id: string }; items?: { id: string }[]; part?: number; parts?: number };
      };
      if (registered !== undefined && body.type === 'takedown.requested' && body.data.items !== undefined) {
        const itemIds = body.data.items.map((item) => item.id);
        const orderId = body.data.order.id;
        const platform = registered;
        const answer = (lastAnswer.get(orderId) ?? Promise.resolve()).then(() =>
          answerRemoved(platform, orderId, itemIds),
        );
        lastAnswer.set(
          orderId,
          answer.catch(() => undefined),
        );
        answering.push(answer);
      }
      const list = arrivals.get(body.data.order.id) ?? [];
      list.push({ type: body.type, at, part: body.data.part ?? 1, parts: body.data.parts ?? 1 });
      arrivals.set(body.data.order.id, list);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;

  async function waitUntil(pick: () => number | undefined, what: string, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = pick();
      if (at !== undefined) return at;
      if (Date.now() > deadline) throw new ApiBenchError(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  return {
    url,
    async register(cloud, operatorToken) {
      const id = `bench-${randomBytes(4).toString('hex')}`;
      const response = await fetch(`${cloud.apiUrl}/v1/platforms`, {
        method: 'POST',
        headers: { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          id,
          name: `Benchmark platform ${id}`,
          webhookUrl: url,
          contactEmail: 'bench@example.com',
        }),
      });
      const body = (await response.json()) as { notificationSecret?: string; responseSecret?: string };
      if (
        response.status !== 201 ||
        body.notificationSecret === undefined ||
        body.responseSecret === undefined
      )
        throw new ApiBenchError(`register platform: ${response.status} ${JSON.stringify(body)}`);
      registered = {
        id,
        apiUrl: cloud.apiUrl,
        notifications: new Webhook(body.notificationSecret),
        answers: new Webhook(body.responseSecret),
      };
      return id;
    },
    arrival: (orderId, type, timeoutMs) =>
      waitUntil(
        () => arrivals.get(orderId)?.find((arrival) => arrival.type === type)?.at,
        `${type} of ${orderId}`,
        timeoutMs,
      ),
    allPartsArrival: (orderId, type, timeoutMs) =>
      waitUntil(
        () => {
          const list = (arrivals.get(orderId) ?? []).filter((arrival) => arrival.type === type);
          const parts = list[0]?.parts;
          if (parts === undefined || new Set(list.map((arrival) => arrival.part)).size < parts)
            return undefined;
          return Math.max(...list.map((arrival) => arrival.at));
        },
        `every part of ${type} of ${orderId}`,
        timeoutMs,
      ),
    badSignatures: () => badSignatures,
    async close() {
      // An answer that failed says so here rather than as an unhandled rejection.
      await Promise.all(answering);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
