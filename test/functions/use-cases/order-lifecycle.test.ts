import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  IdempotencyInFlightError,
  IdempotencyKeyReusedError,
  InvalidSignatureError,
  NotFoundError,
  UnprocessableError,
} from '../../../functions/src/domain/errors';
import { deliverWebhook } from '../../../functions/src/use-cases/deliver-webhook';
import { rotateSecrets } from '../../../functions/src/use-cases/operator';
import { getAudit, getOrder, listOrders } from '../../../functions/src/use-cases/read-orders';
import { reconcileExecutions } from '../../../functions/src/use-cases/reconcile-executions';
import { recordPlatformResponses } from '../../../functions/src/use-cases/record-platform-responses';
import { submitOrder } from '../../../functions/src/use-cases/submit-order';
import { type InMemoryIdempotency, testWorld } from '../fakes';
import {
  AGENCY,
  answer,
  deliveredOrder,
  itemResults,
  noticeOf,
  orderBody,
  registerMichat,
  runWorkflow,
  signedAnswer,
  submit,
} from '../lifecycle-helpers';

const HOUR = 3_600_000;

describe('submitOrder', () => {
  it('writes the items and the marker, starts the execution named by the order id, and answers the order', async () => {
    const world = testWorld();
    await registerMichat(world);
    const body = orderBody();
    const view = await submitOrder(world.deps, {
      agencyId: AGENCY,
      idempotencyKey: 'k',
      request: body,
      order: body,
    });
    expect(view).toMatchObject({
      status: 'notifying',
      deadlineAt: null,
      urgency: 'standard',
      itemCounts: { total: 3 },
    });
    expect(world.workflow.started).toEqual([view.id]);
    expect(world.orders.audit.get(view.id)?.[0]?.action).toBe('order_submitted');
  });

  it('returns the first response for the same key and body, whatever the key order', async () => {
    const world = testWorld();
    await registerMichat(world);
    const body = orderBody();
    const first = await submitOrder(world.deps, {
      agencyId: AGENCY,
      idempotencyKey: 'k',
      request: body,
      order: body,
    });
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await submitOrder(world.deps, {
      agencyId: AGENCY,
      idempotencyKey: 'k',
      request: reordered,
      order: body,
    });
    expect(again).toEqual(first);
    expect(world.orders.orders.size).toBe(1);
  });

  it('replays a response too large to keep by rebuilding it from the order', async () => {
    const world = testWorld();
    await registerMichat(world);
    const body = orderBody({}, 0);
    body.items = Array.from({ length: 200 }, (_, index) => ({
      kind: 'url' as const,
      locator: `https://michat.example/${'x'.repeat(2_000)}/${index}`,
    }));
    body.evidence = Array.from({ length: 100 }, (_, index) => ({
      uri: `https://evidence.example/${'e'.repeat(2_000)}/${index}`,
      sha256: 'a'.repeat(64),
    }));
    const first = await submitOrder(world.deps, {
      agencyId: AGENCY,
      idempotencyKey: 'big',
      request: body,
      order: body,
    });
    const again = await submitOrder(world.deps, {
      agencyId: AGENCY,
      idempotencyKey: 'big',
      request: body,
      order: body,
    });
    expect(again.id).toBe(first.id);
    expect(again.items).toHaveLength(100);
    const store = world.deps.idempotency as InMemoryIdempotency;
    expect(store.records.get(`${AGENCY}#big`)?.stored).toEqual({ result: null, orderId: 'order-1' });
    expect(world.orders.orders.size).toBe(1);
  });

  it('refuses the same key with another body (422) and while the first is in flight (409)', async () => {
    const world = testWorld();
    await registerMichat(world);
    const body = orderBody();
    await submitOrder(world.deps, { agencyId: AGENCY, idempotencyKey: 'k', request: body, order: body });
    const other = orderBody({ reference: 'other' });
    await expect(
      submitOrder(world.deps, { agencyId: AGENCY, idempotencyKey: 'k', request: other, order: other }),
    ).rejects.toThrow(IdempotencyKeyReusedError);
    await world.deps.idempotency.claim({
      key: `${AGENCY}#busy`,
      requestHash: 'x',
      payload: {},
      leaseMs: 60_000,
      ttlSeconds: 60,
    });
    await expect(
      world.deps.idempotency.claim({
        key: `${AGENCY}#busy`,
        requestHash: 'x',
        payload: {},
        leaseMs: 60_000,
        ttlSeconds: 60,
      }),
    ).resolves.toEqual({ state: 'in_flight' });
  });

  it('a crash writing a small order (items and marker in one transaction) leaves nothing; the retry writes it whole', async () => {
    const world = testWorld();
    await registerMichat(world);
    const body = orderBody();
    const createOrder = world.orders.createOrder.bind(world.orders);
    world.orders.createOrder = async () => {
      throw new Error('crash');
    };
    await expect(
      submitOrder(world.deps, { agencyId: AGENCY, idempotencyKey: 'k', request: body, order: body }),
    ).rejects.toThrow('crash');
    expect(world.orders.orders.size).toBe(0);
    expect(world.orders.items.size).toBe(0);
    await expect(
      submitOrder(world.deps, { agencyId: AGENCY, idempotencyKey: 'k', request: body, order: body }),
    ).rejects.toThrow(IdempotencyInFlightError);
    world.orders.createOrder = createOrder;
    world.clock.advance(31_000);
    const putItems = world.orders.putItems.bind(world.orders);
    const rewritten: number[] = [];
    world.orders.putItems = async (items, owner) => {
      rewritten.push(items.length);
      await putItems(items, owner);
    };
    const retry = await submitOrder(world.deps, {
      agencyId: AGENCY,
      idempotencyKey: 'k',
      request: body,
      order: body,
    });
    expect(retry.id).toBe('order-1');
    expect([...world.orders.orders.keys()]).toEqual(['order-1']);
    expect(world.orders.items.get('order-1')?.size).toBe(3);
    expect(rewritten).toEqual([3]);
  });

  it("completes a small order's idempotency record in the order's own write: a crash before its execution starts answers the retry the same, and the reconciler starts it", async () => {
    const world = testWorld();
    await registerMichat(world);
    const body = orderBody();
    const input = { agencyId: AGENCY, idempotencyKey: 'k', request: body, order: body };
    const start = world.workflow.start.bind(world.workflow);
    world.workflow.start = async () => {
      throw new Error('crash');
    };
    await expect(submitOrder(world.deps, input)).rejects.toThrow('crash');
    expect(world.workflow.started).toEqual([]);
    // At once, not 409 "in flight" until the lease runs out: the record was completed with the order.
    const retry = await submitOrder(world.deps, input);
    expect(retry).toMatchObject({ id: 'order-1', status: 'notifying', itemCounts: { total: 3 } });
    expect([...world.orders.orders.keys()]).toEqual(['order-1']);
    world.workflow.start = start;
    world.clock.advance(2 * 60_000);
    const report = await reconcileExecutions(world.deps);
    expect(report.recovered).toEqual([expect.objectContaining({ orderId: 'order-1', how: 'started' })]);
    expect(world.workflow.started).toEqual(['order-1']);
  });

  it('refuses an unknown platform with 422 naming platformId, writing nothing', async () => {
    const world = testWorld();
    const body = orderBody();
    const attempt = submitOrder(world.deps, {
      agencyId: AGENCY,
      idempotencyKey: 'k',
      request: body,
      order: body,
    });
    await expect(attempt).rejects.toThrow(UnprocessableError);
    expect(world.orders.items.size).toBe(0);
  });
});

describe('deliverWebhook', () => {
  it('signs every part so the platform verifies it with its notification secret, and starts the clock', async () => {
    const world = testWorld();
    const secrets = await registerMichat(world);
    const order = await submit(world, orderBody({}, 2_300));
    expect(await deliverWebhook(world.deps, { orderId: order.id, noticeId: '000001' })).toEqual({
      outcome: 'delivered',
      noticeId: '000001',
    });
    expect(world.endpoint.received).toHaveLength(3);
    const parts = world.endpoint.received.map((request) => {
      const payload = new Webhook(secrets.notificationSecret).verify(request.body, request.headers) as {
        data: { part: number; parts: number; items: unknown[]; notice: { id: string } };
      };
      return [payload.data.part, payload.data.parts, payload.data.items.length, payload.data.notice.id];
    });
    expect(parts).toEqual([
      [1, 3, 1000, '000001'],
      [2, 3, 1000, '000001'],
      [3, 3, 300, '000001'],
    ]);
    const stored = await world.orders.getOrder(order.id);
    expect(stored).toMatchObject({
      status: 'awaiting_platform',
      servedVia: 'webhook',
      servedAt: world.clock.now().toISOString(),
      deadlineAt: new Date(world.clock.now().getTime() + 24 * HOUR).toISOString(),
    });
    expect(world.orders.deliveries.map((attempt) => attempt.httpStatus)).toEqual([200, 200, 200]);
    expect((await noticeOf(world, order.id)).email.state).toBe('not_needed');
    expect(world.published.map((event) => event.type)).toEqual(
      expect.arrayContaining(['takedown.served', 'takedown.notified']),
    );
  });

  it('a retry carries the same webhook-id; Retry-After counts on 429/503 and never beyond the schedule', async () => {
    const world = testWorld();
    await registerMichat(world);
    const order = await submit(world);
    world.endpoint.statuses.push(
      { status: 503 },
      { status: 429, retryAfter: 600 },
      { status: 503, retryAfter: 31_536_000 },
    );
    const planned = async () => {
      const stored = await noticeOf(world, order.id);
      return (new Date(stored.webhook.nextAttemptAt ?? 0).getTime() - world.clock.now().getTime()) / 1000;
    };
    expect(await deliverWebhook(world.deps, { orderId: order.id, noticeId: '000001' })).toMatchObject({
      outcome: 'failed',
    });
    expect(await planned()).toBe(5);
    await deliverWebhook(world.deps, { orderId: order.id, noticeId: '000001' });
    expect(await planned()).toBe(600);
    // A year asked for is cut to the schedule's longest delay (10 h): the platform cannot park its order.
    await deliverWebhook(world.deps, { orderId: order.id, noticeId: '000001' });
    expect(await planned()).toBe(10 * 3600);
    const ids = new Set(world.endpoint.received.map((request) => request.headers['webhook-id']));
    expect(ids.size).toBe(1);
    const stored = await world.orders.getOrder(order.id);
    expect(stored).toMatchObject({ deadlineAt: null, servedAt: null, status: 'notifying' });
    expect(stored?.webhookHealth).toMatchObject({ state: 'failing', lastHttpStatus: 503 });
  });

  it('stops on 410 and disables the endpoint; the email still serves the order', async () => {
    const world = testWorld();
    await registerMichat(world);
    const order = await submit(world);
    world.endpoint.statuses.push({ status: 410 });
    const result = await deliverWebhook(world.deps, { orderId: order.id, noticeId: '000001' });
    expect(result.outcome).toBe('failed');
    expect((await noticeOf(world, order.id)).webhook.state).toBe('gave_up');
    expect((await world.platforms.get('michat'))?.status).toBe('disabled');
    // The email goes once the service grace period (1 h for a standard order) has passed without a 2xx.
    expect((await runWorkflow(world, order.id)).stopped).toEqual({ next: 'wait', waitSeconds: 3600 });
    world.clock.advance(HOUR);
    expect((await runWorkflow(world, order.id)).steps).toEqual(['email:000001', 'wait']);
    expect(world.mailer.sent.map((email) => email.to)).toEqual([['legal@michat.example']]);
    expect((await world.orders.getOrder(order.id))?.servedVia).toBe('email');
  });

  it('never calls a host that resolves to a private address', async () => {
    const world = testWorld();
    await registerMichat(world);
    const order = await submit(world);
    world.deps.resolveHost = async () => ['169.254.169.254'];
    const result = await deliverWebhook(world.deps, { orderId: order.id, noticeId: '000001' });
    expect(result.outcome).toBe('failed');
    expect(world.endpoint.received).toHaveLength(0);
    expect(world.orders.deliveries[0]?.error).toMatch(/refused/);
  });

  it('signs with the old and the new secret during a rotation', async () => {
    const world = testWorld();
    const old = await registerMichat(world);
    const order = await submit(world);
    const rotated = await rotateSecrets(world.deps, 'michat');
    await deliverWebhook(world.deps, { orderId: order.id, noticeId: '000001' });
    const request = world.endpoint.received[0];
    expect(request?.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    for (const secret of [old.notificationSecret, rotated.notificationSecret]) {
      expect(() => new Webhook(secret).verify(request?.body ?? '', request?.headers ?? {})).not.toThrow();
    }
  });
});

describe('recordPlatformResponses', () => {
  it('applies answers, reports already_final and not_found, and ends the wait when nothing is pending', async () => {
    const { world, secrets, orderId } = await deliveredOrder(2);
    const tokenHolder = await world.orders.getOrder(orderId);
    const first = await answer(world, secrets.responseSecret, orderId, [
      { itemId: '000001', outcome: 'removed' },
      { itemId: '999999', outcome: 'removed' },
    ]);
    expect(first.results).toEqual([
      { itemId: '000001', result: 'applied' },
      { itemId: '999999', result: 'not_found' },
    ]);
    expect(world.workflow.woken).toHaveLength(0);
    const second = await answer(world, secrets.responseSecret, orderId, [
      { itemId: '000001', outcome: 'restricted' },
      { itemId: '000002', outcome: 'account_suspended' },
    ]);
    expect(second.results.map((entry) => entry.result)).toEqual(['already_final', 'applied']);
    expect(world.workflow.woken).toEqual([
      { taskToken: tokenHolder?.taskToken, output: { changed: 'answers' } },
    ]);
    expect((await runWorkflow(world, orderId)).steps).toEqual(['finalize', 'done']);
    expect((await world.orders.getOrder(orderId))?.status).toBe('complied');
  });

  it('processes a webhook-id once and returns the first answer', async () => {
    const { world, secrets, orderId } = await deliveredOrder(1);
    const signed = signedAnswer(secrets.responseSecret, {
      takedownRequestId: orderId,
      items: [{ itemId: '000001', outcome: 'removed' }],
    });
    const first = await recordPlatformResponses(world.deps, { platformId: 'michat', ...signed });
    const again = await recordPlatformResponses(world.deps, { platformId: 'michat', ...signed });
    expect(again).toEqual(first);
    expect(
      world.orders.audit.get(orderId)?.filter((event) => event.action === 'items_answered'),
    ).toHaveLength(1);
  });

  it('refuses a bad signature, a signature made with our own notification secret, and a stale timestamp', async () => {
    const { world, secrets, orderId } = await deliveredOrder(1);
    const body = { takedownRequestId: orderId, items: [{ itemId: '000001', outcome: 'removed' }] };
    const replayed = signedAnswer(secrets.notificationSecret, body);
    await expect(recordPlatformResponses(world.deps, { platformId: 'michat', ...replayed })).rejects.toThrow(
      InvalidSignatureError,
    );
    const stale = signedAnswer(secrets.responseSecret, body);
    const old = new Date(Date.now() - 6 * 60_000);
    const headers = {
      'webhook-id': 'msg_stale',
      'webhook-timestamp': String(Math.floor(old.getTime() / 1000)),
      'webhook-signature': new Webhook(secrets.responseSecret).sign('msg_stale', old, stale.rawBody),
    };
    await expect(
      recordPlatformResponses(world.deps, { platformId: 'michat', ...stale, headers }),
    ).rejects.toThrow(InvalidSignatureError);
    expect((await world.orders.getOrder(orderId))?.itemCounts.pending).toBe(1);
  });

  it('refuses a signed answer that breaks the schema with field errors, and lets the same webhook-id retry', async () => {
    const { world, secrets, orderId } = await deliveredOrder(1);
    const broken = signedAnswer(
      secrets.responseSecret,
      { takedownRequestId: orderId, items: [{ itemId: '000001', outcome: 'rejected', extra: 1 }] },
      'msg_fix_me',
    );
    await expect(
      recordPlatformResponses(world.deps, { platformId: 'michat', ...broken }),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      fieldErrors: expect.arrayContaining([
        { field: 'items[0].extra', message: 'is not a known field' },
        { field: 'items[0].reason', message: 'is required when outcome is rejected' },
      ]),
    });
    const fixed = signedAnswer(
      secrets.responseSecret,
      { takedownRequestId: orderId, items: [{ itemId: '000001', outcome: 'removed' }] },
      'msg_fix_me',
    );
    const result = await recordPlatformResponses(world.deps, { platformId: 'michat', ...fixed });
    expect(itemResults(result)).toEqual([{ itemId: '000001', result: 'applied' }]);
  });

  it('answers 404 for an order addressed to another platform', async () => {
    const { world, secrets } = await deliveredOrder(1);
    const attempt = answer(world, secrets.responseSecret, 'order-404', [
      { itemId: '000001', outcome: 'removed' },
    ]);
    await expect(attempt).rejects.toThrow(NotFoundError);
  });

  it('loses no update when another writer commits between read and write', async () => {
    const { world, secrets, orderId } = await deliveredOrder(2);
    world.orders.beforeNextCommit = () => {
      const order = world.orders.orders.get(orderId);
      if (order) world.orders.orders.set(orderId, { ...order, version: order.version + 1 });
    };
    await answer(world, secrets.responseSecret, orderId, [{ itemId: '000001', outcome: 'removed' }]);
    await answer(world, secrets.responseSecret, orderId, [{ itemId: '000002', outcome: 'removed' }]);
    expect((await world.orders.getOrder(orderId))?.itemCounts).toMatchObject({ pending: 0, resolved: 2 });
  });

  it('applies twenty answers sent at the same moment, one per item, without losing any', async () => {
    const { world, secrets, orderId } = await deliveredOrder(20);
    const ids = Array.from({ length: 20 }, (_, index) => String(index + 1).padStart(6, '0'));
    const results = await Promise.all(
      ids.map((itemId) => answer(world, secrets.responseSecret, orderId, [{ itemId, outcome: 'removed' }])),
    );
    expect(results.every((result) => result.results[0]?.result === 'applied')).toBe(true);
    expect((await world.orders.getOrder(orderId))?.itemCounts).toMatchObject({ pending: 0, resolved: 20 });
    const answered =
      world.orders.audit.get(orderId)?.filter((event) => event.action === 'items_answered') ?? [];
    expect(answered).toHaveLength(20);
    expect(new Set(answered.map((event) => event.seq)).size).toBe(20);
  });

  it('accepts answers signed with the previous response secret during a rotation', async () => {
    const { world, secrets, orderId } = await deliveredOrder(1);
    await rotateSecrets(world.deps, 'michat');
    const result = await answer(world, secrets.responseSecret, orderId, [
      { itemId: '000001', outcome: 'removed' },
    ]);
    expect(result.results[0]?.result).toBe('applied');
  });
});

describe('reads', () => {
  it('hides other agencies orders and lists own orders newest first', async () => {
    const { world, orderId } = await deliveredOrder(1);
    await expect(getOrder(world.deps, { agencyId: 'bpom', orderId })).rejects.toThrow(NotFoundError);
    world.clock.advance(1_000);
    await submit(world, orderBody({ reference: 'second' }), 'key-2');
    const list = await listOrders(world.deps, {
      agencyIds: [AGENCY],
      status: null,
      platformId: null,
      limit: 10,
      cursor: null,
    });
    expect(list.items.map((order) => order.reference)).toEqual(['second', 'AIS/2026/11/0042']);
    expect(
      (
        await listOrders(world.deps, {
          agencyIds: ['bpom'],
          status: null,
          platformId: null,
          limit: 10,
          cursor: null,
        })
      ).items,
    ).toEqual([]);
    const audit = await getAudit(world.deps, { agencyId: AGENCY, orderId, limit: 10, cursor: null });
    expect(audit.items.map((event) => event.action)).toEqual(['order_submitted', 'platform_notified']);
  });
});
