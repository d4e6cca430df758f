import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpWebhookSender } from '../../functions/src/adapters/http-webhook-sender';
import { checkWebhookUrl, UnsafeWebhookUrlError } from '../../functions/src/domain/webhook-url-policy';
import { deliverWebhook } from '../../functions/src/use-cases/deliver-webhook';
import { testWorld } from '../functions/fakes';
import { registerMichat, submit } from '../functions/lifecycle-helpers';

const awsRules = { allowLoopback: false, blockedPorts: [] };
const localRules = { allowLoopback: true, blockedPorts: [4010, 4011, 4012] };

// Every form an attacker may use to reach an internal address; all must be refused on AWS.
const internalUrls = [
  'https://169.254.169.254/latest/meta-data/',
  'https://[fd00::1]/hook',
  'https://[fd12:3456::1]/hook',
  'https://[fe80::1]/hook',
  'https://10.0.0.1/hook',
  'https://10.255.255.255/hook',
  'https://172.16.0.1/hook',
  'https://172.31.255.254/hook',
  'https://192.168.1.1/hook',
  'https://127.0.0.1/hook',
  'https://[::1]/hook',
  'https://0.0.0.0/hook',
  'https://[::]/hook',
  'https://[::ffff:169.254.169.254]/hook',
  'https://[::ffff:10.0.0.1]/hook',
  'https://2130706433/hook', // 127.0.0.1
  'https://2852039166/hook', // 169.254.169.254
  'https://0xa9fea9fe/hook', // 169.254.169.254
  'https://0x7f.1/hook', // 127.0.0.1
  'https://0177.0.0.1/hook', // 127.0.0.1 (octal)
  'https://167772161/hook', // 10.0.0.1
  'https://localhost/hook',
  'https://api.localhost/hook',
  'http://hooks.example.com/hook', // plain http
  'ftp://hooks.example.com/hook',
  'https://user:pass@hooks.example.com/hook',
];

describe('checkWebhookUrl (registration and delivery)', () => {
  it.each(internalUrls)('refuses %s on AWS', (url) => {
    expect(() => checkWebhookUrl(url, awsRules)).toThrow(UnsafeWebhookUrlError);
  });

  it('accepts a public https URL on AWS', () => {
    expect(checkWebhookUrl('https://hooks.example.com/tenggat', awsRules).hostname).toBe('hooks.example.com');
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/hook',
    'http://0xa9fea9fe/hook',
    'http://[fd00::1]/hook',
    'http://127.0.0.1:4010/v1/platforms', // the local cloud's own API
    'http://localhost:4011/', // its AWS endpoint
    'http://2130706433:4012/', // DynamoDB Local, decimal form
    'http://[::1]:4011/',
    'http://example.com:4010/', // any name may resolve to loopback
  ])('refuses %s even on the local cloud', (url) => {
    expect(() => checkWebhookUrl(url, localRules)).toThrow(UnsafeWebhookUrlError);
  });

  it('allows a developer receiver on loopback only when configured to', () => {
    expect(checkWebhookUrl('http://127.0.0.1:9999/hook', localRules).port).toBe('9999');
    expect(() => checkWebhookUrl('http://127.0.0.1:9999/hook', awsRules)).toThrow(UnsafeWebhookUrlError);
  });
});

describe('deliverWebhook (delivery-time DNS check)', () => {
  it.each([['169.254.169.254'], ['10.1.2.3'], ['fd00::5'], ['::ffff:192.168.0.10'], ['127.0.0.1']])(
    'sends nothing when the registered host now resolves to %s',
    async (address) => {
      const world = testWorld();
      await registerMichat(world);
      const order = await submit(world);
      // DNS rebinding: the name was public at registration and points inside at delivery time.
      world.deps.resolveHost = async () => ['93.184.216.34', address];
      const result = await deliverWebhook(world.deps, { orderId: order.id, noticeId: '000001' });
      expect(result.outcome).toBe('failed');
      expect(world.endpoint.received).toHaveLength(0);
      expect(world.orders.deliveries.at(-1)?.error).toMatch(/^refused: /);
      const stored = await world.orders.getOrder(order.id);
      expect(stored).toMatchObject({ servedAt: null, notifiedAt: null, webhookHealth: { state: 'failing' } });
    },
  );
});

describe('HttpWebhookSender', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
  });

  async function serve(
    handler: Parameters<typeof createServer>[1],
  ): Promise<{ url: string; hits: string[] }> {
    const hits: string[] = [];
    const server = createServer((request, response) => {
      hits.push(`${request.method} ${request.url}`);
      handler?.(request, response);
    });
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
  }

  it('does not follow a redirect to another address', async () => {
    const target = await serve((_request, response) => response.end('ok'));
    const redirector = await serve((_request, response) => {
      response.writeHead(307, { location: `${target.url}/stolen` });
      response.end();
    });
    const sender = new HttpWebhookSender({ allowLoopback: true, blockedPorts: [] });
    const result = await sender.send({
      url: `${redirector.url}/hook`,
      headers: { 'content-type': 'application/json' },
      body: '{}',
      timeoutMs: 2_000,
    });
    expect(result.httpStatus).toBe(307);
    expect(redirector.hits).toEqual(['POST /hook']);
    expect(target.hits).toEqual([]);
  });

  it('refuses to connect when a host name resolves to a loopback address that is not allowed', async () => {
    const receiver = await serve((_request, response) => response.end('ok'));
    const port = new URL(receiver.url).port;
    const sender = new HttpWebhookSender({ allowLoopback: false, blockedPorts: [] });
    // "localhost" resolves through the hosts file, so no network DNS is needed.
    const result = await sender.send({
      url: `http://localhost:${port}/hook`,
      headers: {},
      body: '{}',
      timeoutMs: 2_000,
    });
    expect(result.httpStatus).toBeNull();
    expect(result.error).toMatch(/loopback/);
    expect(receiver.hits).toEqual([]);
  });
});
