import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  api,
  listEvents,
  OTHER_AGENCY,
  orderBody,
  startRegisteredPlatform,
  submitOrder,
  waitFor,
  waitForExecutionEnd,
  waitForOrder,
} from './harness';

describe('withdrawal', () => {
  it('ends the order as withdrawn, tells the platform signed, and refuses a second withdrawal', async () => {
    const { platformId, receiver } = await startRegisteredPlatform();
    try {
      const submitted = await submitOrder(orderBody({ platformId }));
      const orderId = submitted.body.id;
      await waitForOrder(orderId, (order) => order.status === 'awaiting_platform');

      const withdrawal = await api('POST', `/v1/takedown-requests/${orderId}/withdrawal`, {
        as: 'komdigi-ais',
        body: { reason: 'Court order annulled.' },
      });
      expect(withdrawal.status).toBe(200);
      const withdrawn = await waitForOrder(orderId, (order) => order.status === 'withdrawn');
      expect(withdrawn.withdrawal?.reason).toBe('Court order annulled.');
      const told = await waitFor(
        () => receiver.received.find((webhook) => webhook.type === 'takedown.withdrawn'),
        { what: 'takedown.withdrawn' },
      );
      expect(told.signatureValid).toBe(true);
      expect(await waitForExecutionEnd(orderId)).toBe('SUCCEEDED');
      expect(await listEvents({ detailType: 'takedown.withdrawn', orderId })).toHaveLength(1);

      const again = await api('POST', `/v1/takedown-requests/${orderId}/withdrawal`, {
        as: 'komdigi-ais',
        body: { reason: 'Again.' },
      });
      expect(again.status).toBe(409);
    } finally {
      await receiver.close();
    }
  });
});

describe('idempotent submission', () => {
  it('returns the same order for the same key and body, refuses a different body, and hides it from other agencies', async () => {
    const key = randomUUID();
    const body = orderBody();
    const first = await submitOrder(body, { idempotencyKey: key });
    expect(first.status).toBe(201);
    const replay = await submitOrder(body, { idempotencyKey: key });
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(first.body.id);

    const changed = await submitOrder({ ...body, reason: 'Something else.' }, { idempotencyKey: key });
    expect(changed.status).toBe(422);
    expect(changed.headers.get('content-type')).toContain('application/problem+json');

    const missingKey = await api('POST', '/v1/takedown-requests', { as: 'komdigi-ais', body });
    expect(missingKey.status).toBe(400);

    // The key is scoped per agency: another agency with the same key gets an order of its own.
    const other = await submitOrder(body, { as: OTHER_AGENCY, idempotencyKey: key });
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(first.body.id);
    const peek = await api('GET', `/v1/takedown-requests/${first.body.id}`, { as: OTHER_AGENCY });
    expect(peek.status).toBe(404);
  });
});
