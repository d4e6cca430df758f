import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type RunningServer, readBody } from '../../local/cloud/http-util';
import { type SandboxPlatform, startSandboxPlatform } from '../../local/cloud/sandbox-platform';

const notificationSecret = `whsec_${Buffer.from('n'.repeat(32)).toString('base64')}`;
const responseSecret = `whsec_${Buffer.from('r'.repeat(32)).toString('base64')}`;

describe('sandbox platform', () => {
  const answers: { headers: Record<string, string>; body: string; path: string }[] = [];
  /** Statuses the stand-in API answers with before it answers 200 again. */
  const refusals: number[] = [];
  let api: RunningServer;
  let sandbox: SandboxPlatform;

  beforeAll(async () => {
    // Stands in for the API's responses endpoint: records what the sandbox sends.
    api = await listen(0, [
      async (request, response) => {
        answers.push({
          headers: request.headers as Record<string, string>,
          body: (await readBody(request, 1_000_000)).toString('utf8'),
          path: request.url ?? '',
        });
        const refusal = refusals.shift();
        response.writeHead(refusal ?? 200, refusal === 429 ? { 'retry-after': '0' } : {}).end('{}');
        return true;
      },
    ]);
    sandbox = await startSandboxPlatform({
      platformId: 'michat-sandbox',
      apiUrl: `${api.url}/prod`,
      notificationSecret,
      responseSecret,
      settings: { delaySeconds: 0 },
    });
  });

  afterAll(async () => {
    await sandbox?.close();
    await api?.close();
  });

  const notify = (body: object, secret = notificationSecret) => {
    const payload = JSON.stringify(body);
    const id = `msg_${Math.random().toString(16).slice(2)}`;
    const now = new Date();
    return fetch(sandbox.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign(id, now, payload),
      },
      body: payload,
    });
  };
  const requested = (orderId: string) => ({
    type: 'takedown.requested',
    data: { order: { id: orderId }, items: [{ id: 'a' }, { id: 'b' }] },
  });

  it('refuses a notification signed with another secret', async () => {
    const response = await notify(requested('o0'), responseSecret);
    expect(response.status).toBe(401);
    expect(answers).toHaveLength(0);
  });

  it('answers every item as removed, signed with the response secret', async () => {
    expect((await notify(requested('o1'))).status).toBe(200);
    await expect.poll(() => answers.length).toBe(1);
    const answer = answers[0];
    expect(answer?.path).toBe('/prod/v1/platforms/michat-sandbox/responses');
    expect(() => new Webhook(responseSecret).verify(answer?.body ?? '', answer?.headers ?? {})).not.toThrow();
    const body = JSON.parse(answer?.body ?? '{}');
    expect(body.takedownRequestId).toBe('o1');
    expect(
      body.items.map((item: { itemId: string; outcome: string }) => [item.itemId, item.outcome]),
    ).toEqual([
      ['a', 'removed'],
      ['b', 'removed'],
    ]);
  });

  it('follows its settings: reject with a reason, partial, silent, and down', async () => {
    const settings = (behaviour: string) =>
      fetch(`${sandbox.server.url}/settings`, { method: 'PUT', body: JSON.stringify({ behaviour }) });
    await settings('reject');
    await notify(requested('o2'));
    await expect.poll(() => answers.length).toBe(2);
    expect(JSON.parse(answers[1]?.body ?? '{}').items[0]).toMatchObject({
      outcome: 'rejected',
      reason: { code: 'legal_objection' },
    });
    await settings('partial');
    await notify(requested('o3'));
    await expect.poll(() => answers.length).toBe(3);
    expect(JSON.parse(answers[2]?.body ?? '{}').items).toHaveLength(1);
    await settings('silent');
    await notify(requested('o4'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answers).toHaveLength(3);
    expect(sandbox.received.map((entry) => entry.orderId)).toEqual(['o1', 'o2', 'o3', 'o4']);
    await settings('down');
    expect((await notify(requested('o5'))).status).toBe(503);
    expect(sandbox.received.map((entry) => entry.orderId)).not.toContain('o5');
    expect((await settings('nonsense')).status).toBe(400);
  });
  it('sends a throttled answer again with the same webhook-id, as a careful platform does', async () => {
    await fetch(`${sandbox.server.url}/settings`, {
      method: 'PUT',
      body: JSON.stringify({ behaviour: 'comply' }),
    });
    refusals.push(429, 503);
    const before = answers.length;
    expect((await notify(requested('o-throttled'))).status).toBe(200);
    await expect.poll(() => answers.length, { timeout: 5_000 }).toBe(before + 3);
    const ids = answers.slice(before).map((answer) => answer.headers['webhook-id']);
    expect(new Set(ids).size).toBe(1);
  });

  it('acknowledges a deadline warning and records it, without answering the items again', async () => {
    const before = answers.length;
    const warning = {
      type: 'takedown.deadline_approaching',
      data: {
        order: { id: 'o-warned' },
        warning: {
          takedownRequestId: 'o-warned',
          stage: 'order',
          timeLeft: 'PT2S',
          openItems: 2,
          fraction: 0.5,
        },
        items: [{ id: 'a' }, { id: 'b' }],
      },
    };
    expect((await notify(warning)).status).toBe(200);
    expect(sandbox.received.at(-1)).toMatchObject({
      type: 'takedown.deadline_approaching',
      orderId: 'o-warned',
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answers).toHaveLength(before);
  });
});

describe('sandbox platform: the parts of a large order', () => {
  it('answers the parts of one order one after another, and other orders meanwhile', async () => {
    const inFlight = new Map<string, number>();
    const most = new Map<string, number>();
    let mostOverall = 0;
    const answered: string[] = [];
    // A slow responses endpoint, as DynamoDB Local is with 1,000 answers: it counts the answers in flight.
    const api = await listen(0, [
      async (request, response) => {
        const { takedownRequestId: orderId, items } = JSON.parse(
          (await readBody(request, 1_000_000)).toString('utf8'),
        ) as { takedownRequestId: string; items: { itemId: string }[] };
        inFlight.set(orderId, (inFlight.get(orderId) ?? 0) + 1);
        most.set(orderId, Math.max(most.get(orderId) ?? 0, inFlight.get(orderId) ?? 0));
        mostOverall = Math.max(
          mostOverall,
          [...inFlight.values()].reduce((sum, count) => sum + count, 0),
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
        inFlight.set(orderId, (inFlight.get(orderId) ?? 1) - 1);
        answered.push(...items.map((item) => `${orderId}/${item.itemId}`));
        response.writeHead(200).end('{}');
        return true;
      },
    ]);
    const sandbox = await startSandboxPlatform({
      platformId: 'michat-sandbox',
      apiUrl: `${api.url}/prod`,
      notificationSecret,
      responseSecret,
      settings: { delaySeconds: 0 },
    });
    try {
      const part = (orderId: string, itemId: string) => {
        const payload = JSON.stringify({
          type: 'takedown.requested',
          data: { order: { id: orderId }, items: [{ id: itemId }] },
        });
        const id = `msg_${Math.random().toString(16).slice(2)}`;
        const now = new Date();
        return fetch(sandbox.webhookUrl, {
          method: 'POST',
          headers: {
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
            'webhook-signature': new Webhook(notificationSecret).sign(id, now, payload),
          },
          body: payload,
        });
      };
      const sent = await Promise.all([
        part('big', '1'),
        part('big', '2'),
        part('big', '3'),
        part('other', '1'),
      ]);
      expect(sent.map((response) => response.status)).toEqual([200, 200, 200, 200]);
      await expect.poll(() => answered.length, { timeout: 5_000 }).toBe(4);
      expect(answered.filter((entry) => entry.startsWith('big/')).sort()).toEqual([
        'big/1',
        'big/2',
        'big/3',
      ]);
      expect(most.get('big')).toBe(1);
      expect(mostOverall).toBe(2);
    } finally {
      await sandbox.close();
      await api.close();
    }
  });
});
