import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AGENCY,
  api,
  getOrder,
  OPERATOR,
  type OrderView,
  OTHER_AGENCY,
  orderBody,
  type PlatformReceiver,
  registerPlatform,
  startPlatformReceiver,
  startRegisteredPlatform,
  submitOrder,
  waitForOrder,
} from '../e2e/harness';
import {
  expectProblem,
  isAnsweredAndClosed,
  orderPartition,
  recordsMentioning,
  settledOrderPartition,
} from './attack-helpers';

let completed: OrderView;
let live: OrderView;
let livePlatform: { platformId: string; receiver: PlatformReceiver };
let otherPlatform: { platformId: string; receiver: PlatformReceiver };
let otherSecrets: { id: string; notificationSecret: string; responseSecret: string };

beforeAll(async () => {
  // A closed order (the sandbox platform complies) whose records must not move, and a live one nobody answers.
  const submitted = await submitOrder(orderBody());
  expect(submitted.status).toBe(201);
  livePlatform = await startRegisteredPlatform();
  const otherReceiver = await startPlatformReceiver();
  otherSecrets = await registerPlatform(otherReceiver.url);
  otherReceiver.attach(otherSecrets);
  otherPlatform = { platformId: otherSecrets.id, receiver: otherReceiver };
  const liveSubmitted = await submitOrder(orderBody({ platformId: livePlatform.platformId }));
  expect(liveSubmitted.status).toBe(201);
  // Generous: the whole e2e suite shares two cores with this wait.
  completed = await waitForOrder(submitted.body.id, isAnsweredAndClosed, {
    timeoutMs: 90_000,
  });
  live = await waitForOrder(liveSubmitted.body.id, (order) => order.notifiedAt !== null);
});

afterAll(async () => {
  await livePlatform?.receiver.close();
  await otherPlatform?.receiver.close();
});

function attacksOnOrder(order: OrderView): [string, string, string, unknown][] {
  const itemIds = order.items.map((item) => item.id);
  return [
    ['read', 'GET', `/v1/takedown-requests/${order.id}`, undefined],
    ['page items of', 'GET', `/v1/takedown-requests/${order.id}/items`, undefined],
    ['read the audit of', 'GET', `/v1/takedown-requests/${order.id}/audit`, undefined],
    ['withdraw', 'POST', `/v1/takedown-requests/${order.id}/withdrawal`, { reason: 'not mine to withdraw' }],
    [
      'review',
      'POST',
      `/v1/takedown-requests/${order.id}/review`,
      { itemIds, decision: 'withdraw', note: 'x' },
    ],
  ];
}

describe('tenancy: agency B against agency A’s orders', () => {
  it('answers 404 to every read and write on a closed order, and its records stay as they were', async () => {
    const before = await settledOrderPartition(completed.id);
    for (const [what, method, path, body] of attacksOnOrder(completed)) {
      const response = await api(method, path, { as: OTHER_AGENCY, body });
      expect(response.status, `${what}: ${JSON.stringify(response.body)}`).toBe(404);
      expectProblem(response, [404]);
    }
    expect(await orderPartition(completed.id)).toEqual(before);
  });

  it('answers 404 to every read and write on a live order, which is neither withdrawn nor reviewed', async () => {
    for (const [what, method, path, body] of attacksOnOrder(live)) {
      const response = await api(method, path, { as: OTHER_AGENCY, body });
      expect(response.status, `${what}: ${JSON.stringify(response.body)}`).toBe(404);
    }
    const after = await getOrder(live.id);
    expect(after.withdrawal).toBeNull();
    expect(after.status).not.toBe('withdrawn');
    expect(after.itemCounts.withdrawn).toBe(0);
  });

  it('answers 404 the same way for an order id that does not exist, so ids cannot be probed', async () => {
    const missing = await api('GET', `/v1/takedown-requests/${randomUUID()}`, { as: OTHER_AGENCY });
    const foreign = await api('GET', `/v1/takedown-requests/${completed.id}`, { as: OTHER_AGENCY });
    expect([missing.status, foreign.status]).toEqual([404, 404]);
    expect((foreign.body as { type: string }).type).toBe((missing.body as { type: string }).type);
  });

  it('lists none of agency A’s orders for agency B, whatever filters B uses', async () => {
    for (const query of ['', `?platformId=${livePlatform.platformId}`, '?status=complied', '?limit=100']) {
      const response = await api<{ items: { id: string; agencyId: string }[] }>(
        'GET',
        `/v1/takedown-requests${query}`,
        { as: OTHER_AGENCY },
      );
      expect(response.status).toBe(200);
      expect(response.body.items.map((order) => order.id)).not.toContain(completed.id);
      expect(response.body.items.map((order) => order.id)).not.toContain(live.id);
      expect(response.body.items.every((order) => order.agencyId === OTHER_AGENCY)).toBe(true);
    }
    const own = await api<{ items: { id: string }[] }>(
      'GET',
      `/v1/takedown-requests?platformId=${livePlatform.platformId}`,
      { as: AGENCY },
    );
    expect(own.body.items.map((order) => order.id)).toContain(live.id);
  });
});

describe('tenancy: platforms', () => {
  it('answers 404 when a platform answers items of another platform’s order on its own route', async () => {
    const before = await orderPartition(live.id);
    const itemIds = live.items.map((item) => item.id);
    const response = await otherPlatform.receiver.answer(
      live.id,
      itemIds.map((itemId) => ({ itemId, outcome: 'removed' })),
    );
    expectProblem(response, [404]);
    const after = await getOrder(live.id);
    expect(after.items.every((item) => item.outcome === null)).toBe(true);
    // Only the workflow's own escalation may have moved the order; no item was answered.
    expect((await orderPartition(live.id)).filter((record) => record.includes('"removed"'))).toEqual(
      before.filter((record) => record.includes('"removed"')),
    );
  });

  it('refuses with 401 a platform that signs with its own secret on another platform’s route', async () => {
    const before = await orderPartition(live.id);
    const body = JSON.stringify({
      takedownRequestId: live.id,
      items: live.items.map((item) => ({ itemId: item.id, outcome: 'removed' })),
    });
    const webhookId = `msg_${randomUUID()}`;
    const now = new Date();
    const response = await api('POST', `/v1/platforms/${livePlatform.platformId}/responses`, {
      body,
      headers: {
        'webhook-id': webhookId,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(otherSecrets.responseSecret).sign(webhookId, now, body),
      },
    });
    expectProblem(response, [401]);
    expect((await getOrder(live.id)).items.every((item) => item.outcome === null)).toBe(true);
    expect(await recordsMentioning(webhookId)).toEqual([]);
    expect((await orderPartition(live.id)).filter((record) => record.includes('"removed"'))).toEqual(
      before.filter((record) => record.includes('"removed"')),
    );
  });
});

describe('operators', () => {
  it('read every agency’s order, and list one agency’s orders when they name it', async () => {
    const read = await api<OrderView>('GET', `/v1/takedown-requests/${live.id}`, { as: OPERATOR });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: live.id, agencyId: AGENCY, executionArn: expect.any(String) });
    const listed = await api<{ items: { id: string; agencyId: string }[] }>(
      'GET',
      `/v1/takedown-requests?agencyId=${AGENCY}&limit=100`,
      { as: OPERATOR },
    );
    expect(listed.status).toBe(200);
    expect(listed.body.items.length).toBeGreaterThan(0);
    expect(listed.body.items.every((order) => order.agencyId === AGENCY)).toBe(true);
    const foreign = await api('GET', `/v1/takedown-requests?agencyId=${AGENCY}`, { as: OTHER_AGENCY });
    expect(foreign.status).toBe(403);
  });
});
