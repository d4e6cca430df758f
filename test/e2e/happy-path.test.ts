import { describe, expect, it } from 'vitest';
import {
  AGENCY,
  getAudit,
  getOrder,
  orderBody,
  startRegisteredPlatform,
  submitOrder,
  waitFor,
  waitForOrder,
} from './harness';

describe('an order the platform complies with', () => {
  it('is delivered signed, answered item by item, and ends complied on time with a full audit trail', async () => {
    const { platformId, receiver } = await startRegisteredPlatform();
    try {
      const submitted = await submitOrder(orderBody({ platformId }, 3));
      expect(submitted.status).toBe(201);
      const orderId = submitted.body.id;
      expect(submitted.body.deadlineAt).toBeNull();

      const requested = await waitFor(
        () => receiver.received.find((webhook) => webhook.type === 'takedown.requested'),
        { what: 'takedown.requested' },
      );
      expect(requested.signatureValid).toBe(true);
      expect(requested.body.data.order.id).toBe(orderId);
      expect(requested.body.data.items).toHaveLength(3);

      const notified = await waitForOrder(orderId, (order) => order.deadlineAt !== null);
      expect(notified.status).toBe('awaiting_platform');

      const answered = await receiver.answer(
        orderId,
        requested.body.data.items.map((item) => ({ itemId: item.id, outcome: 'removed' })),
      );
      expect(answered.status).toBe(200);
      expect(answered.body.results.map((result) => result.result)).toEqual(['applied', 'applied', 'applied']);

      const done = await waitForOrder(orderId, (order) => order.status === 'complied', {
        what: 'complied',
      });
      expect(done.itemCounts).toMatchObject({ total: 3, resolved: 3, pending: 0 });
      expect(done.items.every((item) => item.status === 'resolved' && item.onTime === true)).toBe(true);
      expect(done.deliveries.some((d) => d.event === 'takedown.requested' && d.httpStatus === 200)).toBe(
        true,
      );

      const audit = await getAudit(orderId, AGENCY);
      const actions = audit.map((entry) => entry.action);
      expect(actions).toEqual(['order_submitted', 'platform_notified', 'items_answered', 'finalized']);
      expect(audit.map((entry) => entry.actor.id)).toEqual([
        AGENCY,
        'tenggat-workflow',
        platformId,
        'tenggat-workflow',
      ]);
      expect(audit[0]?.actor.officer).toBe('Test Officer');
      expect(audit.every((entry) => entry.stage === 'order')).toBe(true);
      const times = audit.map((entry) => Date.parse(entry.at));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      // Sequence numbers have no gaps: nothing was rewritten or lost.
      expect(audit.map((entry) => entry.seq)).toEqual(audit.map((_, index) => (audit[0]?.seq ?? 1) + index));
      expect(await getOrder(orderId)).toMatchObject({ status: 'complied' });
    } finally {
      await receiver.close();
    }
  });
});
