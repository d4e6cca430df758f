import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AGENCY,
  api,
  cloud,
  E2eHarnessError,
  getAudit,
  getOrder,
  type MachineClient,
  OPERATOR,
  orderBody,
  type PlatformReceiver,
  startPlatformReceiver,
  submitOrder,
  waitForOrder,
} from './harness';

interface PlatformItem {
  id: string;
  status: string;
  outcome: string | null;
  reason: { code: string; explanation: string } | null;
}

/** Registers a platform as the operator, with a receiver for its webhooks; keeps the machine client it answers. */
async function registerWithClient(): Promise<{
  platformId: string;
  receiver: PlatformReceiver;
  machineClient: MachineClient;
}> {
  const receiver = await startPlatformReceiver();
  const platformId = `e2e-api-${randomBytes(4).toString('hex')}`;
  const response = await api<{
    notificationSecret: string;
    responseSecret: string;
    machineClient: MachineClient;
  }>('POST', '/v1/platforms', {
    as: OPERATOR,
    body: {
      id: platformId,
      name: `Platform API ${platformId}`,
      webhookUrl: receiver.url,
      contactEmail: 'e2e@example.com',
    },
  });
  if (response.status !== 201) {
    await receiver.close();
    throw new E2eHarnessError(`register ${platformId}: ${response.status} ${JSON.stringify(response.body)}`);
  }
  receiver.attach({ id: platformId, ...response.body });
  return { platformId, receiver, machineClient: response.body.machineClient };
}

/** A takedown/platform token from the token URL the registration named, as a platform's script would get it. */
async function platformToken(client: MachineClient): Promise<string> {
  const response = await fetch(client.tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  const body = (await response.json()) as { access_token?: string; error?: string };
  if (!response.ok || !body.access_token)
    throw new E2eHarnessError(`token: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

describe('the platform-side API (a platform without an integration)', () => {
  it("a platform's own client lists, opens and answers its order; another platform's client finds nothing", async () => {
    const michat = await registerWithClient();
    const other = await registerWithClient();
    try {
      expect(michat.machineClient.tokenUrl).toBe(cloud().tokenUrl);
      const token = await platformToken(michat.machineClient);
      const submitted = await submitOrder(orderBody({ platformId: michat.platformId }, 2));
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
      const orderId = submitted.body.id;
      await waitForOrder(orderId, (order) => order.servedVia === 'webhook', { what: 'service by webhook' });

      const list = await api<{ items: { id: string; status: string }[] }>(
        'GET',
        `/v1/platforms/${michat.platformId}/orders`,
        { token },
      );
      expect(list.status, JSON.stringify(list.body)).toBe(200);
      expect(list.body.items.map((order) => order.id)).toEqual([orderId]);

      const opened = await api<{ id: string; items: PlatformItem[]; deadlineAt: string | null }>(
        'GET',
        `/v1/platforms/${michat.platformId}/orders/${orderId}`,
        { token },
      );
      expect(opened.status).toBe(200);
      expect(opened.body).not.toHaveProperty('officer');
      expect(opened.body.deadlineAt).not.toBeNull();
      const [first, second] = opened.body.items;
      if (!first || !second) throw new E2eHarnessError('the order has no two items');

      const explanation = 'The post reports on a court case; it does not promote gambling.';
      const answered = await api<{ results: { itemId: string; result: string }[] }>(
        'POST',
        `/v1/platforms/${michat.platformId}/orders/${orderId}/answers`,
        {
          token,
          body: {
            items: [
              { itemId: first.id, outcome: 'removed' },
              { itemId: second.id, outcome: 'rejected', reason: { code: 'legal_objection', explanation } },
            ],
          },
        },
      );
      expect(answered.status, JSON.stringify(answered.body)).toBe(200);
      expect(answered.body.results).toEqual([
        { itemId: first.id, result: 'applied' },
        { itemId: second.id, result: 'applied' },
      ]);

      // The agency's view and the platform's both show the answers; the audit names the platform.
      const order = await getOrder(orderId, AGENCY);
      expect(order.items.map((item) => [item.id, item.status, item.outcome])).toEqual([
        [first.id, 'resolved', 'removed'],
        [second.id, 'disputed', 'rejected'],
      ]);
      expect(order.items[1]?.reason).toEqual({ code: 'legal_objection', explanation });
      const items = await api<{ items: PlatformItem[] }>(
        'GET',
        `/v1/platforms/${michat.platformId}/orders/${orderId}/items`,
        { token },
      );
      expect(items.body.items.map((item) => item.status)).toEqual(['resolved', 'disputed']);
      const audit = await getAudit(orderId);
      expect(audit.find((entry) => entry.action === 'items_answered')?.actor).toMatchObject({
        kind: 'platform',
        id: michat.platformId,
      });

      // Another platform's own client: michat's list and order are not found, nor is the order under its own id.
      const otherToken = await platformToken(other.machineClient);
      for (const path of [
        `/v1/platforms/${michat.platformId}/orders`,
        `/v1/platforms/${michat.platformId}/orders/${orderId}`,
        `/v1/platforms/${other.platformId}/orders/${orderId}`,
      ]) {
        const response = await api('GET', path, { token: otherToken });
        expect(response.status, path).toBe(404);
      }
      const crossAnswer = await api('POST', `/v1/platforms/${other.platformId}/orders/${orderId}/answers`, {
        token: otherToken,
        body: { items: [{ itemId: first.id, outcome: 'removed' }] },
      });
      expect(crossAnswer.status).toBe(404);
      // An agency token has no takedown/platform scope: the gateway refuses it before any function runs.
      const agency = await api('GET', `/v1/platforms/${michat.platformId}/orders`, { as: AGENCY });
      expect([401, 403]).toContain(agency.status);
    } finally {
      await michat.receiver.close();
      await other.receiver.close();
    }
  });
});
