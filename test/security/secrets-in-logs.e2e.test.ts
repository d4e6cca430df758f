import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AGENCY,
  api,
  cloud,
  getToken,
  OPERATOR,
  orderBody,
  type PlatformReceiver,
  registerPlatform,
  startPlatformReceiver,
  submitOrder,
  waitFor,
  waitForOrder,
} from '../e2e/harness';
import { dataDir, isAnsweredAndClosed, recordsMentioningEach } from './attack-helpers';

let receiver: PlatformReceiver;
const secretsSeen: { what: string; value: string }[] = [];
const evidenceUri = `https://evidence.internal.example/case/${randomBytes(8).toString('hex')}/screenshot.png`;
const evidenceSha = randomBytes(32).toString('hex');

/** Every log the local cloud collected: each function's log file and the cloud's own progress log. */
function allLogs(): { file: string; text: string }[] {
  const logDir = join(dataDir(), 'logs');
  return [
    ...readdirSync(logDir).map((name) => ({ file: name, text: readFileSync(join(logDir, name), 'utf8') })),
    { file: 'progress.log', text: readFileSync(cloud().progressLogPath, 'utf8') },
  ];
}

beforeAll(async () => {
  // A whole lifecycle: register, rotate, submit with evidence, deliver, answer signed, withdraw another order.
  receiver = await startPlatformReceiver();
  const platform = await registerPlatform(receiver.url);
  const rotation = await api<{ notificationSecret: string; responseSecret: string }>(
    'POST',
    `/v1/platforms/${platform.id}/secret-rotation`,
    { as: OPERATOR, body: {} },
  );
  expect(rotation.status).toBe(200);
  receiver.attach({ ...platform, ...rotation.body });
  const { machineClient, ...registered } = platform;
  for (const [what, value] of Object.entries({ ...registered, ...rotation.body })) {
    if (what !== 'id') secretsSeen.push({ what: `platform ${what}`, value });
  }
  secretsSeen.push({ what: 'platform machine client secret', value: machineClient.clientSecret });
  for (const [name, client] of Object.entries(cloud().clients)) {
    secretsSeen.push({ what: `client secret of ${name}`, value: client.clientSecret });
    const token = await getToken(name);
    secretsSeen.push({ what: `access token of ${name}`, value: token });
    secretsSeen.push({ what: `access token signature of ${name}`, value: token.split('.')[2] ?? token });
  }
  for (const [name, sandbox] of Object.entries(cloud().platforms)) {
    secretsSeen.push({ what: `${name} notification secret`, value: sandbox.notificationSecret });
    secretsSeen.push({ what: `${name} response secret`, value: sandbox.responseSecret });
  }

  const submitted = await submitOrder(
    orderBody({ platformId: platform.id, evidence: [{ uri: evidenceUri, sha256: evidenceSha }] }),
  );
  expect(submitted.status).toBe(201);
  const withdrawn = await submitOrder(orderBody({ platformId: platform.id }));
  await waitFor(() => receiver.received.some((webhook) => webhook.body.data.order.id === submitted.body.id));
  const answered = await receiver.answer(
    submitted.body.id,
    submitted.body.items.map((item) => ({ itemId: item.id, outcome: 'removed' })),
  );
  expect(answered.status).toBe(200);
  await waitForOrder(submitted.body.id, isAnsweredAndClosed);
  const withdrawal = await api('POST', `/v1/takedown-requests/${withdrawn.body.id}/withdrawal`, {
    as: AGENCY,
    body: { reason: 'withdrawn in the log test' },
  });
  expect(withdrawal.status).toBe(200);
  await waitForOrder(withdrawn.body.id, (order) => order.status === 'withdrawn');
  // Let the workflow write its last lines.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
});

afterAll(async () => {
  await receiver?.close();
});

describe('secrets and personal data in the local cloud’s logs after a full lifecycle', () => {
  it('collected logs from every function that ran', () => {
    const files = allLogs().map((log) => log.file);
    for (const name of ['SubmitOrder', 'PlatformResponses', 'DeliverWebhook', 'WorkflowStep', 'Operator']) {
      expect(
        files.some((file) => file.includes(name)),
        name,
      ).toBe(true);
    }
  });

  it('holds no client secret, access token, platform secret or evidence reference', () => {
    const leaks: string[] = [];
    for (const { file, text } of allLogs()) {
      for (const { what, value } of [
        ...secretsSeen,
        { what: 'evidence uri', value: evidenceUri },
        { what: 'evidence sha256', value: evidenceSha },
      ]) {
        if (value.length >= 16 && text.includes(value)) leaks.push(`${file}: ${what}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('holds nothing shaped like a whsec_ secret, a bearer token, a JWT or a webhook signature', () => {
    const patterns: [string, RegExp][] = [
      ['whsec_ secret', /whsec_[A-Za-z0-9+/=]{8,}/],
      ['bearer token', /bearer\s+[A-Za-z0-9._-]{20,}/i],
      ['JWT', /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/],
      ['webhook signature', /v1,[A-Za-z0-9+/]{40,}={0,2}/],
      ['Basic credentials', /basic\s+[A-Za-z0-9+/]{20,}={0,2}/i],
    ];
    const leaks: string[] = [];
    for (const { file, text } of allLogs()) {
      for (const [what, pattern] of patterns) {
        const match = pattern.exec(text);
        if (match) leaks.push(`${file}: ${what} (${match[0].slice(0, 12)}…)`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('keeps platform secrets out of the table after registration and rotation', async () => {
    const platformSecrets = secretsSeen.filter(
      (seen) => seen.what.includes('Secret') || seen.what.includes('secret'),
    );
    expect(platformSecrets.length).toBeGreaterThanOrEqual(4);
    const keys = new Map(platformSecrets.map(({ what, value }) => [value.replace(/^whsec_/, ''), what]));
    const found = await recordsMentioningEach([...keys.keys()]);
    expect(Object.entries(found).map(([key, records]) => `${keys.get(key)}: ${records.join(', ')}`)).toEqual(
      [],
    );
  });
});
