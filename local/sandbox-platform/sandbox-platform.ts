import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/**
 * A stand-in for a real platform (MiChat and the like) on the local cloud: it receives Tenggat's signed webhooks,
 * verifies them the way an integrator would, and answers through the signed responses API.
 */

export type SandboxMode = 'comply' | 'partial' | 'reject' | 'silent';

export interface SandboxSettings {
  /** `comply`: remove every item; `partial`: remove a share and ignore the rest; `reject`: reject every item; `silent`: never answer. */
  mode: SandboxMode;
  /** How long the platform "works" before it answers. */
  answerDelayMs: number;
  /** With `partial`: the share of the open items it removes (rounded up). */
  partialShare: number;
}

export const defaultSandboxSettings: SandboxSettings = {
  mode: 'comply',
  answerDelayMs: 2_000,
  partialShare: 0.5,
};

export interface SandboxPlatformConfig {
  platformId: string;
  /** Verifies our notifications (current and, during a rotation, previous). */
  notificationSecrets: string[];
  /** Signs the platform's answers. */
  responseSecret: string;
  /** `POST /v1/platforms/{platformId}/responses` on the API. */
  responsesUrl: string;
}

export interface ReceivedDelivery {
  webhookId: string;
  type: string;
  orderId: string | undefined;
  itemIds: string[];
  receivedAt: string;
  verified: boolean;
}

interface OpenItem {
  id: string;
}

interface TenggatWebhook {
  type?: unknown;
  data?: {
    order?: { id?: unknown };
    items?: unknown;
  };
}

/** Events that list open items the platform is expected to act on. */
const actionableEvents = new Set(['takedown.requested', 'takedown.reminder', 'takedown.fine_notice']);

export class SandboxPlatform {
  private server: Server | undefined;
  private config: SandboxPlatformConfig | undefined;
  private readonly seenWebhookIds = new Set<string>();
  private readonly answeredItemIds = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly deliveries: ReceivedDelivery[] = [];
  settings: SandboxSettings;

  constructor(
    settings: Partial<SandboxSettings> = {},
    private readonly log: (line: string) => void = () => {},
  ) {
    this.settings = { ...defaultSandboxSettings, ...settings };
  }

  /** Secrets and the answer URL arrive once the platform is registered (or are loaded from a previous run). */
  configure(config: SandboxPlatformConfig): void {
    this.config = config;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<{ url: string; port: number }> {
    const server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        this.log(`sandbox platform: ${error instanceof Error ? error.message : String(error)}`);
        if (!res.headersSent) send(res, 500, { error: 'internal' });
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    return { url: `http://${host}:${address.port}`, port: address.port };
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const body = await readBody(req);
    if (url.pathname === '/_sandbox/settings') {
      if (req.method === 'PUT') return this.updateSettings(body, res);
      send(res, 200, this.settings);
      return;
    }
    if (url.pathname === '/_sandbox/deliveries' && req.method === 'GET') {
      send(res, 200, { deliveries: this.deliveries });
      return;
    }
    if (url.pathname.startsWith('/webhooks/') && req.method === 'POST') {
      return this.receive(req, body, res);
    }
    send(res, 404, { error: 'not found' });
  }

  private updateSettings(body: string, res: ServerResponse): void {
    let patch: Partial<SandboxSettings>;
    try {
      patch = JSON.parse(body) as Partial<SandboxSettings>;
    } catch {
      send(res, 400, { error: 'settings must be JSON' });
      return;
    }
    const next = { ...this.settings, ...patch };
    const validMode = ['comply', 'partial', 'reject', 'silent'].includes(next.mode);
    const validDelay = Number.isFinite(next.answerDelayMs) && next.answerDelayMs >= 0;
    const validShare = Number.isFinite(next.partialShare) && next.partialShare >= 0 && next.partialShare <= 1;
    if (!validMode || !validDelay || !validShare) {
      send(res, 422, {
        error: 'mode must be comply|partial|reject|silent, answerDelayMs >= 0, partialShare in [0, 1]',
      });
      return;
    }
    this.settings = next;
    this.log(`sandbox platform: settings now ${JSON.stringify(next)}`);
    send(res, 200, this.settings);
  }

  private receive(req: IncomingMessage, body: string, res: ServerResponse): void {
    const config = this.config;
    if (!config) {
      send(res, 503, { error: 'sandbox platform is not registered yet' });
      return;
    }
    const headers = {
      'webhook-id': header(req, 'webhook-id'),
      'webhook-timestamp': header(req, 'webhook-timestamp'),
      'webhook-signature': header(req, 'webhook-signature'),
    };
    let payload: TenggatWebhook | undefined;
    for (const secret of config.notificationSecrets) {
      try {
        payload = new Webhook(secret).verify(body, headers) as TenggatWebhook;
        break;
      } catch {
        // try the next secret: during a rotation either may have signed
      }
    }
    const type = typeof payload?.type === 'string' ? payload.type : 'unknown';
    const items = openItems(payload);
    const orderId = typeof payload?.data?.order?.id === 'string' ? payload.data.order.id : undefined;
    this.deliveries.push({
      webhookId: headers['webhook-id'],
      type,
      orderId,
      itemIds: items.map((item) => item.id),
      receivedAt: new Date().toISOString(),
      verified: payload !== undefined,
    });
    if (!payload) {
      send(res, 401, { error: 'signature verification failed' });
      return;
    }
    // The webhook-id is the idempotency key: a redelivered message is acknowledged but not acted on twice.
    const firstTime = !this.seenWebhookIds.has(headers['webhook-id']);
    this.seenWebhookIds.add(headers['webhook-id']);
    send(res, 200, { received: true });
    if (firstTime && orderId && actionableEvents.has(type)) this.scheduleAnswer(config, orderId, items);
  }

  private scheduleAnswer(config: SandboxPlatformConfig, orderId: string, items: OpenItem[]): void {
    const { mode, answerDelayMs, partialShare } = this.settings;
    const fresh = items.filter((item) => !this.answeredItemIds.has(item.id));
    if (mode === 'silent' || fresh.length === 0) return;
    const chosen = mode === 'partial' ? fresh.slice(0, Math.ceil(fresh.length * partialShare)) : fresh;
    for (const item of chosen) this.answeredItemIds.add(item.id);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.answer(config, orderId, chosen, mode).catch((error: unknown) => {
        for (const item of chosen) this.answeredItemIds.delete(item.id);
        this.log(
          `sandbox platform: answer failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    }, answerDelayMs);
    this.timers.add(timer);
  }

  private async answer(
    config: SandboxPlatformConfig,
    orderId: string,
    items: OpenItem[],
    mode: SandboxMode,
  ): Promise<void> {
    const actedAt = new Date().toISOString();
    const answers = items.map((item) =>
      mode === 'reject'
        ? {
            itemId: item.id,
            outcome: 'rejected',
            reason: {
              code: 'legal_objection',
              explanation: 'The sandbox platform contests this item (sandbox setting "reject").',
            },
          }
        : { itemId: item.id, outcome: 'removed', actedAt },
    );
    const body = JSON.stringify({ takedownRequestId: orderId, items: answers });
    const webhookId = `msg_sandbox_${randomUUID()}`;
    const now = new Date();
    const response = await fetch(config.responsesUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': webhookId,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(config.responseSecret).sign(webhookId, now, body),
      },
      body,
    });
    if (!response.ok) throw new Error(`responses API answered ${response.status}: ${await response.text()}`);
    this.log(`sandbox platform: answered ${answers.length} item(s) of ${orderId} (${mode})`);
  }
}

function openItems(payload: TenggatWebhook | undefined): OpenItem[] {
  const items = payload?.data?.items;
  if (!Array.isArray(items)) return [];
  return items.flatMap((item: unknown) => {
    const id = (item as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? [{ id }] : [];
  });
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
