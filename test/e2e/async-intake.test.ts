import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AGENCY,
  api,
  cloud,
  durationSeconds,
  fastPolicy,
  getAudit,
  getOrder,
  injectFaults,
  type OrderView,
  orderBody,
  type PlatformReceiver,
  runSchedule,
  startRegisteredPlatform,
  submitOrder,
  waitFor,
  waitForExecutionEnd,
  waitForOrder,
} from './harness';

const INTAKE = 'IntakeFunction';
const RECONCILER = 'tenggat-reconciler';
/** The fast policy's `intakeStallPeriod`: how long an intake must stand still to be resumed. */
const STALL_MS = durationSeconds(fastPolicy.intakeStallPeriod) * 1000;
/** Past the 5,000 items one intake invocation writes, so the crash falls half-way. */
const CRASH_ITEMS = 6_000;

/** Every item of the order's `takedown.requested` parts the platform received, by id (a repeat would show twice). */
function requestedItemIds(receiver: PlatformReceiver, orderId: string): string[] {
  return receiver.received
    .filter((webhook) => webhook.type === 'takedown.requested' && webhook.body.data.order.id === orderId)
    .flatMap((webhook) => webhook.body.data.items.map((item) => item.id));
}

/**
 * Polls GET until `accept`, keeping every `itemsAccepted` it saw while the order was accepting. Twice a second sees
 * every slice (a slice of 1,000 items takes seconds) without competing much with the intake for DynamoDB Local.
 */
async function watchProgress(orderId: string, accept: (order: OrderView) => boolean, timeoutMs = 150_000) {
  const seen: number[] = [];
  const order = await waitFor(
    async () => {
      const current = await getOrder(orderId);
      if (current.status === 'accepting') seen.push(current.itemsAccepted);
      return accept(current) ? current : undefined;
    },
    { timeoutMs, intervalMs: 500, what: `order ${orderId}` },
  );
  return { order, seen };
}

/**
 * Waits until the order's ladder has ended (the fast policy refers it for blocking within two minutes) before the
 * receiver closes. Left running, a 10,000-item order walks ST1 to ST3 beside the later tests, each step reading
 * every item and each letter 177 pages, and takes their two cores. Answering or withdrawing instead writes every
 * item again: some 80 s of DynamoDB Local transactions.
 */
async function settle(orderId: string | undefined): Promise<void> {
  if (orderId !== undefined) await waitForExecutionEnd(orderId, cloud(), 180_000);
}

describe('a large order accepted in the background', () => {
  it('10,000 items (one of 2,048 characters): 202 at once, progress on GET, the same 202 to a retry, then served whole', async () => {
    const { platformId, receiver } = await startRegisteredPlatform();
    receiver.respondWith = 200;
    let toSettle: string | undefined;
    try {
      // Exactly the most items an order may have, the first with a locator of the most characters allowed.
      const body = orderBody({ platformId }, 10_000);
      const items = body.items as { kind: string; locator: string }[];
      const longest = `https://example.test/${randomUUID()}/${'l'.repeat(2_048)}`.slice(0, 2_048);
      items[0] = { kind: 'url', locator: longest };
      const key = randomUUID();
      const started = Date.now();
      const accepted = await submitOrder(body, { idempotencyKey: key });
      const acceptedMs = Date.now() - started;
      expect(accepted.status, JSON.stringify(accepted.body).slice(0, 300)).toBe(202);
      const orderId = accepted.body.id;
      toSettle = orderId;
      expect(accepted.headers.get('location')).toBe(`/v1/takedown-requests/${orderId}`);
      expect(accepted.body).toMatchObject({ status: 'accepting', itemsAccepted: 0, items: [] });
      expect(accepted.body.itemCounts).toMatchObject({ total: 10_000, pending: 10_000 });

      // The client retries (it did not see the answer): the first 202 again, not a second order.
      const retry = await submitOrder(body, { idempotencyKey: key });
      expect(retry.status).toBe(202);
      expect(retry.body).toEqual(accepted.body);

      const { order: notifying, seen } = await watchProgress(
        orderId,
        (order) => order.status !== 'accepting',
      );
      const notifyingMs = Date.now() - started;
      expect(notifying.itemsAccepted).toBe(10_000);
      expect(notifying.itemCounts).toMatchObject({ total: 10_000, pending: 10_000 });
      // GET showed the items coming in: never more than the total, never going back.
      expect(seen.length).toBeGreaterThan(0);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      // The last slice's count may show a moment before the status moves on.
      expect(seen.every((count) => count >= 0 && count <= 10_000)).toBe(true);

      await waitFor(() => requestedItemIds(receiver, orderId).length >= 10_000, {
        timeoutMs: 30_000,
        what: 'every part of takedown.requested',
      });
      const servedMs = Date.now() - started;
      const ids = requestedItemIds(receiver, orderId);
      expect(new Set(ids).size).toBe(10_000);
      expect(ids).toHaveLength(10_000);
      const firstItem = await api<{ items: { locator: string }[] }>(
        'GET',
        `/v1/takedown-requests/${orderId}/items?limit=1`,
        { as: AGENCY },
      );
      expect(firstItem.status).toBe(200);
      expect(firstItem.body.items[0]?.locator).toBe(longest);
      const served = await waitForOrder(orderId, (order) => order.servedAt !== null, { what: 'served' });
      expect(served.servedVia).toBe('webhook');
      const audit = await getAudit(orderId);
      expect(audit.filter((entry) => entry.action === 'order_submitted')).toHaveLength(1);
      console.log(
        `10,000-item order: 202 after ${acceptedMs} ms, notifying after ${notifyingMs} ms, ` +
          `every part received after ${servedMs} ms; progress seen: ${[...new Set(seen)].join(', ')}`,
      );
    } finally {
      await settle(toSettle);
      await receiver.close();
    }
  }, 240_000);

  it('an intake that dies half-way (past its retries) is resumed by the reconciler, each item written once', async () => {
    const { platformId, receiver } = await startRegisteredPlatform();
    receiver.respondWith = 200;
    // 6,000 items: the first invocation writes 5,000, and the one that would write the rest fails, and so do
    // Lambda's two retries of it.
    const afterHalf = '"from":5000,"trigger":"continue"';
    await injectFaults(INTAKE, 3, afterHalf);
    let toSettle: string | undefined;
    try {
      const accepted = await submitOrder(orderBody({ platformId }, CRASH_ITEMS));
      expect(accepted.status).toBe(202);
      const orderId = accepted.body.id;
      toSettle = orderId;
      // Each slice also looks its locators up in the open-locators index: about 6 s per 1,000 on DynamoDB Local.
      const stalled = await waitForOrder(orderId, (order) => order.itemsAccepted === 5_000, {
        timeoutMs: 120_000,
        what: 'the first half written',
      });
      expect(stalled.status).toBe('accepting');
      // Lambda gave up on it: it stands still until it has stalled for the policy's intakeStallPeriod.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      expect(await getOrder(orderId)).toMatchObject({ status: 'accepting', itemsAccepted: 5_000 });
      await new Promise((resolve) => setTimeout(resolve, STALL_MS - 4_000));

      // The schedule also runs by itself every minute: either run may be the one that resumes it.
      await runSchedule(RECONCILER);
      const notifying = await waitForOrder(orderId, (order) => order.status !== 'accepting', {
        timeoutMs: 120_000,
        what: 'the rest written after the resumption',
      });
      expect(notifying.itemsAccepted).toBe(CRASH_ITEMS);
      await waitFor(() => requestedItemIds(receiver, orderId).length >= CRASH_ITEMS, {
        timeoutMs: 30_000,
        what: 'every part of takedown.requested',
      });
      expect(new Set(requestedItemIds(receiver, orderId)).size).toBe(CRASH_ITEMS);
      expect(requestedItemIds(receiver, orderId)).toHaveLength(CRASH_ITEMS);
    } finally {
      await injectFaults(INTAKE, 0, afterHalf);
      await settle(toSettle);
      await receiver.close();
    }
  }, 330_000);

  it('refuses a large body with an invalid item synchronously (422 naming it), storing nothing', async () => {
    const body = orderBody({}, 1_500);
    (body.items as { kind: string; locator: string }[])[1_234] = { kind: 'url', locator: '' };
    const response = await submitOrder(body);
    expect(response.status).toBe(422);
    expect(JSON.stringify(response.body)).toContain('items[1234].locator');
  });
});
