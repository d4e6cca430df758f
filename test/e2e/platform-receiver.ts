/**
 * A platform of our own for end-to-end tests: a loopback server that verifies every notification's signature, answers
 * with a chosen status, and signs its answers to the response endpoint as a platform does.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { type ApiResponse, api, cloud, type E2eCloud, E2eHarnessError, registerPlatform } from './harness';

export interface ReceivedWebhook {
  type: string;
  webhookId: string;
  receivedAt: number;
  /** Whether the Standard Webhooks signature verified against the platform's notification secret. */
  signatureValid: boolean;
  body: {
    type: string;
    timestamp: string;
    data: {
      order: { id: string; stage: string; deadlineAt: string | null } & Record<string, unknown>;
      items: { id: string; kind: string; locator: string }[];
      part?: number;
      parts?: number;
    } & Record<string, unknown>;
  };
}

export interface AnswerInput {
  itemId: string;
  outcome: string;
  reason?: { code: string; explanation: string };
  actedAt?: string;
}

export interface PlatformReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** The HTTP status to answer notifications with (e.g. 503 to play unreachable). */
  respondWith: number;
  /** Extra headers of the answer (e.g. `retry-after`). */
  respondHeaders: Record<string, string>;
  /** Connects the receiver to a registered platform (its secrets verify and sign). */
  attach(platform: { id: string; notificationSecret: string; responseSecret: string }): void;
  /** Signs and posts an answer to `POST /v1/platforms/{id}/responses`. */
  answer(
    orderId: string,
    items: AnswerInput[],
    options?: { webhookId?: string },
  ): Promise<ApiResponse<{ results: { itemId: string; result: string }[] }>>;
  /** Signs and posts any body to the response endpoint (e.g. a clarification request). */
  sendSigned<T = Record<string, unknown>>(
    body: unknown,
    options?: { webhookId?: string },
  ): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

/** A platform of our own on loopback that verifies every notification's signature and answers signed. */
export async function startPlatformReceiver(target: E2eCloud = cloud()): Promise<PlatformReceiver> {
  let platform: { id: string; notificationSecret: string; responseSecret: string } | undefined;
  const received: ReceivedWebhook[] = [];
  const receiver: Partial<PlatformReceiver> = { received, respondWith: 200, respondHeaders: {} };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let signatureValid = false;
      if (platform) {
        try {
          new Webhook(platform.notificationSecret).verify(raw, request.headers as Record<string, string>);
          signatureValid = true;
        } catch {
          signatureValid = false;
        }
      }
      const body = JSON.parse(raw) as ReceivedWebhook['body'];
      received.push({
        type: body.type,
        webhookId: String(request.headers['webhook-id'] ?? ''),
        receivedAt: Date.now(),
        signatureValid,
        body,
      });
      response.writeHead(receiver.respondWith ?? 200, {
        'content-type': 'application/json',
        ...receiver.respondHeaders,
      });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/webhook`,
    attach(registered: { id: string; notificationSecret: string; responseSecret: string }) {
      platform = registered;
    },
    sendSigned(payload: unknown, options: { webhookId?: string } = {}) {
      if (!platform) throw new E2eHarnessError('attach the receiver to a registered platform first');
      const body = JSON.stringify(payload);
      const webhookId = options.webhookId ?? `msg_${randomBytes(12).toString('hex')}`;
      const now = new Date();
      return api('POST', `/v1/platforms/${platform.id}/responses`, {
        body,
        headers: {
          'webhook-id': webhookId,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': new Webhook(platform.responseSecret).sign(webhookId, now, body),
        },
        target,
      });
    },
    answer(orderId: string, items: AnswerInput[], options: { webhookId?: string } = {}) {
      return (receiver as PlatformReceiver).sendSigned<{ results: { itemId: string; result: string }[] }>(
        { takedownRequestId: orderId, items },
        options,
      );
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as PlatformReceiver;
}

/** Registers a fresh platform pointing at a new receiver. */
export async function startRegisteredPlatform(
  target: E2eCloud = cloud(),
): Promise<{ platformId: string; receiver: PlatformReceiver }> {
  const receiver = await startPlatformReceiver(target);
  const platform = await registerPlatform(receiver.url, undefined, target);
  receiver.attach(platform);
  return { platformId: platform.id, receiver };
}
