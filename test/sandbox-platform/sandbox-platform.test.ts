import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { SandboxPlatform, type SandboxSettings } from '../../local/sandbox-platform/sandbox-platform';

const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

interface Answer {
  body: { takedownRequestId: string; items: Array<{ itemId: string; outcome: string; reason?: unknown }> };
  verified: boolean;
}

async function responsesApi(responseSecret: string) {
  const answers: Answer[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString();
      let verified = true;
      try {
        new Webhook(responseSecret).verify(raw, req.headers as Record<string, string>);
      } catch {
        verified = false;
      }
      answers.push({ body: JSON.parse(raw), verified });
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return { answers, url: `http://127.0.0.1:${port}/v1/platforms/sandbox/responses`, server };
}

function notify(
  url: string,
  secret: string,
  webhookId: string,
  items: string[],
  type = 'takedown.requested',
) {
  const body = JSON.stringify({
    type,
    timestamp: new Date().toISOString(),
    data: {
      order: { id: 'order-1' },
      items: items.map((id) => ({ id, kind: 'account', locator: `acct-${id}` })),
    },
  });
  const now = new Date();
  return fetch(`${url}/webhooks/sandbox`, {
    method: 'POST',
    headers: {
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(webhookId, now, body),
    },
    body,
  });
}

const waitFor = async (check: () => boolean, ms = 3_000) => {
  const until = Date.now() + ms;
  while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
};

describe('SandboxPlatform', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function setup(settings: Partial<SandboxSettings>) {
    const notificationSecret = newSecret();
    const responseSecret = newSecret();
    const api = await responsesApi(responseSecret);
    const sandbox = new SandboxPlatform({ answerDelayMs: 10, ...settings });
    sandbox.configure({
      platformId: 'sandbox',
      notificationSecrets: [notificationSecret],
      responseSecret,
      responsesUrl: api.url,
    });
    const { url } = await sandbox.start();
    cleanups.push(
      () => sandbox.stop(),
      () => new Promise<void>((r) => api.server.close(() => r())),
    );
    return { sandbox, url, api, notificationSecret };
  }

  it('removes every item and answers with a valid signature by default', async () => {
    const { url, api, notificationSecret } = await setup({});
    const response = await notify(url, notificationSecret, 'msg_1', ['a', 'b']);
    expect(response.status).toBe(200);
    await waitFor(() => api.answers.length > 0);
    expect(api.answers).toHaveLength(1);
    expect(api.answers[0]?.verified).toBe(true);
    expect(api.answers[0]?.body.takedownRequestId).toBe('order-1');
    expect(api.answers[0]?.body.items.map((i) => [i.itemId, i.outcome])).toEqual([
      ['a', 'removed'],
      ['b', 'removed'],
    ]);
  });

  it('refuses a notification signed with another secret and does not act on it', async () => {
    const { url, api, sandbox } = await setup({});
    const response = await notify(url, newSecret(), 'msg_forged', ['a']);
    expect(response.status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(api.answers).toHaveLength(0);
    expect(sandbox.deliveries[0]?.verified).toBe(false);
  });

  it('acts once on a redelivered webhook-id', async () => {
    const { url, api, notificationSecret } = await setup({});
    await notify(url, notificationSecret, 'msg_same', ['a']);
    await notify(url, notificationSecret, 'msg_same', ['a']);
    await new Promise((r) => setTimeout(r, 200));
    expect(api.answers).toHaveLength(1);
  });

  it('answers part of the items when partial, and none when silent', async () => {
    const partial = await setup({ mode: 'partial', partialShare: 0.5 });
    await notify(partial.url, partial.notificationSecret, 'msg_p', ['a', 'b', 'c', 'd']);
    await waitFor(() => partial.api.answers.length > 0);
    expect(partial.api.answers[0]?.body.items.map((i) => i.itemId)).toEqual(['a', 'b']);

    const silent = await setup({ mode: 'silent' });
    const response = await notify(silent.url, silent.notificationSecret, 'msg_s', ['a']);
    expect(response.status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(silent.api.answers).toHaveLength(0);
  });

  it('rejects every item with a reason code when set to reject', async () => {
    const { url, api, notificationSecret } = await setup({ mode: 'reject' });
    await notify(url, notificationSecret, 'msg_r', ['a']);
    await waitFor(() => api.answers.length > 0);
    expect(api.answers[0]?.body.items[0]).toMatchObject({
      itemId: 'a',
      outcome: 'rejected',
      reason: { code: 'legal_objection' },
    });
  });

  it('changes behaviour through its settings endpoint and refuses bad settings', async () => {
    const { url } = await setup({});
    const bad = await fetch(`${url}/_sandbox/settings`, {
      method: 'PUT',
      body: JSON.stringify({ mode: 'explode' }),
    });
    expect(bad.status).toBe(422);
    const good = await fetch(`${url}/_sandbox/settings`, {
      method: 'PUT',
      body: JSON.stringify({ mode: 'silent' }),
    });
    expect(await good.json()).toMatchObject({ mode: 'silent' });
  });
});
