/**
 * The built-in sandbox platform (`michat-sandbox`): a webhook receiver that verifies the Standard Webhooks
 * signature of every notification and answers like a platform would, signed with its response secret.
 * Behaviours: `comply` (removes every open item after a delay), `partial` (removes half, leaves the rest open),
 * `reject` (rejects every item with a reason), `silent` (never answers, to watch escalation), `down` (answers every
 * notification `503`, to watch service by email).
 * The behaviour can be changed while running: `PUT /settings` with `{ "behaviour", "delaySeconds" }`.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { listen, type RunningServer, readBody, sendJson } from './http-util';

export const SANDBOX_BEHAVIOURS = ['comply', 'partial', 'reject', 'silent', 'down'] as const;
/** How many times the sandbox sends one answer before it gives up (throttled, conflicting or failed calls). */
const ANSWER_ATTEMPTS = 5;

export type SandboxBehaviour = (typeof SANDBOX_BEHAVIOURS)[number];

export class SandboxPlatformError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SandboxPlatformError';
  }
}

export interface SandboxSettings {
  behaviour: SandboxBehaviour;
  delaySeconds: number;
}

export interface SandboxPlatformOptions {
  port?: number;
  platformId: string;
  /** Base URL of the REST API including the stage, e.g. `http://127.0.0.1:4010/prod`. */
  apiUrl: string;
  notificationSecret: string;
  responseSecret: string;
  settings?: Partial<SandboxSettings>;
  log?: (line: string) => void;
}

export interface SandboxPlatform {
  server: RunningServer;
  webhookUrl: string;
  settings: SandboxSettings;
  /** Notifications received and verified, newest last (type and order id). */
  received: { type: string; orderId: string; at: string }[];
  close(): Promise<void>;
}

interface Notification {
  type?: string;
  data?: { order?: { id?: string }; items?: { id?: string }[] };
}

export async function startSandboxPlatform(options: SandboxPlatformOptions): Promise<SandboxPlatform> {
  const log = options.log ?? (() => {});
  const settings: SandboxSettings = { behaviour: 'comply', delaySeconds: 3, ...options.settings };
  const verifier = new Webhook(options.notificationSecret);
  const signer = new Webhook(options.responseSecret);
  const received: SandboxPlatform['received'] = [];
  const timers = new Set<NodeJS.Timeout>();

  const answer = async (orderId: string, itemIds: string[]) => {
    const answered =
      settings.behaviour === 'partial'
        ? itemIds.slice(0, Math.max(1, Math.floor(itemIds.length / 2)))
        : itemIds;
    const items = answered.map((itemId) =>
      settings.behaviour === 'reject'
        ? {
            itemId,
            outcome: 'rejected',
            reason: { code: 'legal_objection', explanation: 'The sandbox platform contests this item.' },
          }
        : { itemId, outcome: 'removed', actedAt: new Date().toISOString() },
    );
    const body = JSON.stringify({ takedownRequestId: orderId, items });
    const messageId = `msg_${randomBytes(16).toString('hex')}`;
    // As a careful platform does: a throttled or failed answer is sent again (same webhook-id, so it applies once).
    for (let attempt = 1; ; attempt += 1) {
      const timestamp = new Date();
      const status = await fetch(`${options.apiUrl}/v1/platforms/${options.platformId}/responses`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': messageId,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': signer.sign(messageId, timestamp, body),
        },
        body,
      }).then(
        (response) => ({
          code: response.status,
          retryAfter: Number(response.headers.get('retry-after') ?? ''),
        }),
        (error: unknown) => ({ code: 0, retryAfter: Number.NaN, error }),
      );
      const retryable = status.code === 0 || status.code === 409 || status.code === 429 || status.code >= 500;
      if (!retryable || attempt >= ANSWER_ATTEMPTS) {
        log(
          `[sandbox] answered ${items.length} item(s) of ${orderId} (${settings.behaviour}): ${status.code}`,
        );
        return;
      }
      const waitMs = Number.isFinite(status.retryAfter)
        ? Math.min(10, status.retryAfter) * 1000
        : 500 * attempt;
      await new Promise((resolve) => setTimeout(resolve, waitMs).unref());
    }
  };

  // The parts of one order are answered one after another, as a platform's worker queue would: answered all at
  // once, ten parts of 1,000 items contend for the same order record and time out together.
  const answering = new Map<string, Promise<void>>();
  const answerInTurn = (orderId: string, itemIds: string[]) => {
    const next = (answering.get(orderId) ?? Promise.resolve())
      .then(() => answer(orderId, itemIds))
      .catch((error: unknown) => log(`[sandbox] answer failed: ${String(error)}`));
    answering.set(orderId, next);
    void next.then(() => {
      if (answering.get(orderId) === next) answering.delete(orderId);
    });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/settings') {
      if (request.method === 'PUT' || request.method === 'POST') {
        const update = JSON.parse(
          (await readBody(request, 64 * 1024)).toString('utf8') || '{}',
        ) as Partial<SandboxSettings>;
        if (update.behaviour !== undefined && !SANDBOX_BEHAVIOURS.includes(update.behaviour)) {
          sendJson(response, 400, { message: `behaviour must be one of ${SANDBOX_BEHAVIOURS.join(', ')}` });
          return true;
        }
        if (update.behaviour !== undefined) settings.behaviour = update.behaviour;
        if (typeof update.delaySeconds === 'number' && update.delaySeconds >= 0)
          settings.delaySeconds = update.delaySeconds;
      }
      sendJson(response, 200, settings);
      return true;
    }
    if (path !== '/webhook' || request.method !== 'POST') return false;
    const body = (await readBody(request, 10 * 1024 * 1024)).toString('utf8');
    let notification: Notification;
    try {
      notification = verifier.verify(body, request.headers as Record<string, string>) as Notification;
    } catch (error) {
      log(`[sandbox] refused a notification with a bad signature: ${String(error)}`);
      sendJson(response, 401, { message: 'invalid signature' });
      return true;
    }
    const orderId = notification.data?.order?.id ?? '';
    const type = notification.type ?? 'unknown';
    if (settings.behaviour === 'down') {
      log(`[sandbox] answered 503 to ${type} for ${orderId} (behaviour: down)`);
      sendJson(response, 503, { message: 'the sandbox plays an endpoint that is down' });
      return true;
    }
    received.push({ type, orderId, at: new Date().toISOString() });
    log(`[sandbox] received ${type} for ${orderId} (signature valid)`);
    sendJson(response, 200, { received: true });
    const itemIds = (notification.data?.items ?? [])
      .map((item) => item.id)
      .filter((id): id is string => !!id);
    const answersThis =
      type === 'takedown.requested' || type === 'takedown.reminder' || type === 'takedown.fine_notice';
    if (settings.behaviour !== 'silent' && answersThis && orderId && itemIds.length > 0) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        answerInTurn(orderId, itemIds);
      }, settings.delaySeconds * 1000);
      timers.add(timer);
    }
    return true;
  };

  const server = await listen(options.port ?? 0, [handle]);
  return {
    server,
    webhookUrl: `${server.url}/webhook`,
    settings,
    received,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      await server.close();
    },
  };
}
