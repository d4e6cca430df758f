import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { api, cloud, OPERATOR } from '../e2e/harness';
import { expectProblem, problemFields, recordsMentioning } from './attack-helpers';

const portOf = (url: string) => new URL(url).port;

function ownPortUrls(): string[] {
  const { apiUrl, awsEndpoint, dynamodbEndpoint } = cloud();
  const [apiPort, awsPort, dynamodbPort] = [portOf(apiUrl), portOf(awsEndpoint), portOf(dynamodbEndpoint)];
  return [
    `http://127.0.0.1:${apiPort}/prod/v1/platforms`,
    `http://localhost:${awsPort}/`,
    `http://[::1]:${dynamodbPort}/`,
    `http://127.0.0.2:${apiPort}/`,
    `http://2130706433:${awsPort}/`, // 127.0.0.1, decimal
    `http://0x7f000001:${dynamodbPort}/`, // 127.0.0.1, hex
    `http://127.1:${apiPort}/`,
    `http://[::ffff:127.0.0.1]:${awsPort}/`,
  ];
}

const internalUrls = [
  'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
  'https://169.254.169.254/latest/api/token',
  'http://[fd00::1]/hook',
  'http://[fd00:ec2::254]/latest/meta-data/', // the EC2 IPv6 metadata endpoint
  'http://[fe80::1]/hook',
  'http://10.0.0.1/hook',
  'http://172.16.0.1/hook',
  'http://172.31.255.255/hook',
  'http://192.168.0.1/hook',
  'http://0.0.0.0/hook',
  'http://[::]/hook',
  'http://2852039166/latest/meta-data/', // 169.254.169.254, decimal
  'http://0xa9fea9fe/latest/meta-data/', // 169.254.169.254, hex
  'http://0251.0376.0251.0376/', // 169.254.169.254, octal
  'http://167772161/', // 10.0.0.1, decimal
  'http://[::ffff:169.254.169.254]/',
  'http://[::ffff:a9fe:a9fe]/',
  'http://100.64.0.1/', // carrier-grade NAT
  'http://hooks.example.com/plain-http', // http outside loopback
  'file:///etc/passwd',
  'gopher://127.0.0.1:6379/_INFO',
  'http://user:secret@127.0.0.1:9/',
];

async function attemptRegistration(webhookUrl: string) {
  const id = `ssrf-${randomBytes(6).toString('hex')}`;
  const response = await api('POST', '/v1/platforms', {
    as: OPERATOR,
    body: { id, name: 'SSRF attempt', webhookUrl, contactEmail: 'attacker@example.com' },
  });
  return { id, response };
}

describe('outbound calls: webhook URLs refused at registration on the local cloud', () => {
  // The ids of every refused registration; one table scan at the end checks none left a record behind.
  const refused: string[] = [];

  it.each(internalUrls)('refuses %s with 422 naming webhookUrl', async (url) => {
    const { id, response } = await attemptRegistration(url);
    refused.push(id);
    const problem = expectProblem(response, [422]);
    expect(problemFields(problem)).toContain('webhookUrl');
  });

  it('refuses every one of the local cloud’s own ports, even on loopback where loopback is allowed', async () => {
    for (const url of ownPortUrls()) {
      const { id, response } = await attemptRegistration(url);
      refused.push(id);
      const problem = expectProblem(response, [422]);
      expect(problemFields(problem), url).toContain('webhookUrl');
    }
  });

  it('registered nothing for any refused URL: no record in the table mentions their ids', async () => {
    expect(refused.length).toBe(internalUrls.length + ownPortUrls().length);
    expect(await recordsMentioning(refused)).toEqual([]);
  });

  it('still registers a developer’s own loopback receiver (the local cloud allows loopback)', async () => {
    const { id, response } = await attemptRegistration('http://127.0.0.1:9/webhook');
    expect(response.status).toBe(201);
    const listed = await api<{ items: { id: string }[] }>('GET', '/v1/platforms', { as: OPERATOR });
    expect(listed.body.items.map((platform) => platform.id)).toContain(id);
  });

  it('refuses a secret rotation or registration that would move an existing platform to an internal URL', async () => {
    // Registering the same id again with a metadata URL must neither overwrite the URL nor mint secrets.
    const listed = await api<{ items: { id: string; webhookUrl: string }[] }>('GET', '/v1/platforms', {
      as: OPERATOR,
    });
    const sandbox = listed.body.items.find((platform) => platform.id === 'michat-sandbox');
    expect(sandbox).toBeDefined();
    const response = await api('POST', '/v1/platforms', {
      as: OPERATOR,
      body: {
        id: 'michat-sandbox',
        name: 'hijack',
        webhookUrl: 'http://169.254.169.254/latest/meta-data/',
        contactEmail: 'attacker@example.com',
      },
    });
    expectProblem(response, [409, 422]);
    const after = await api<{ items: { id: string; webhookUrl: string }[] }>('GET', '/v1/platforms', {
      as: OPERATOR,
    });
    expect(after.body.items.find((platform) => platform.id === 'michat-sandbox')?.webhookUrl).toBe(
      sandbox?.webhookUrl,
    );
  });
});
