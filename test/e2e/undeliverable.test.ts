import { describe, expect, it } from 'vitest';
import {
  api,
  fastPolicy,
  listEvents,
  OPERATOR,
  orderBody,
  startRegisteredPlatform,
  submitOrder,
  waitFor,
  waitForOrder,
} from './harness';

describe('an unreachable platform', () => {
  it('is retried on the policy schedule, leaves the order undeliverable with an operator alert, and can be redelivered', async () => {
    const { platformId, receiver } = await startRegisteredPlatform();
    receiver.respondWith = 503;
    try {
      const submitted = await submitOrder(orderBody({ platformId }));
      const orderId = submitted.body.id;
      const undeliverable = await waitForOrder(orderId, (order) => order.status === 'undeliverable', {
        timeoutMs: 30_000,
        what: 'undeliverable',
      });
      const attempts = undeliverable.deliveries.filter((d) => d.event === 'takedown.requested');
      expect(attempts).toHaveLength(fastPolicy.deliveryRetrySchedule.length);
      expect(attempts.every((attempt) => attempt.httpStatus === 503)).toBe(true);
      // A retry carries the same webhook-id, so the platform can deduplicate.
      expect(new Set(receiver.received.map((webhook) => webhook.webhookId)).size).toBe(1);
      expect(undeliverable.deadlineAt).toBeNull();

      const alert = await waitFor(
        async () => (await listEvents({ detailType: 'platform.undeliverable', orderId }))[0],
        { what: 'platform.undeliverable' },
      );
      expect(alert.detail.platformId).toBe(platformId);

      receiver.respondWith = 200;
      const redelivery = await api('POST', `/v1/takedown-requests/${orderId}/redelivery`, { as: OPERATOR });
      expect(redelivery.status).toBeLessThan(300);
      const delivered = await waitForOrder(orderId, (order) => order.deadlineAt !== null, {
        what: 'delivered after redelivery',
      });
      expect(delivered.status).toBe('awaiting_platform');
      expect(receiver.received.at(-1)?.signatureValid).toBe(true);
      expect(receiver.received.at(-1)?.type).toBe('takedown.requested');
    } finally {
      await receiver.close();
    }
  });
});
