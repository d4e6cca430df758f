import { describe, expect, it } from 'vitest';
import {
  AGENCY,
  api,
  getAudit,
  orderBody,
  startRegisteredPlatform,
  submitOrder,
  waitFor,
  waitForOrder,
} from './harness';

const objection = { code: 'legal_objection', explanation: 'Satire protected by our terms.' };

describe('partial answers and a review of rejected items', () => {
  it('applies answers over several calls, waits for the agency on rejected items, then upholds one and withdraws another', async () => {
    const { platformId, receiver } = await startRegisteredPlatform();
    try {
      const submitted = await submitOrder(orderBody({ platformId }, 4));
      expect(submitted.status).toBe(201);
      const orderId = submitted.body.id;
      const requested = await waitFor(
        () => receiver.received.find((webhook) => webhook.type === 'takedown.requested'),
        { what: 'takedown.requested' },
      );
      const [first, second, third, fourth] = requested.body.data.items.map((item) => item.id);
      if (!first || !second || !third || !fourth) throw new Error('expected four items');
      await waitForOrder(orderId, (order) => order.status === 'awaiting_platform');

      const one = await receiver.answer(orderId, [{ itemId: first, outcome: 'removed' }]);
      expect(one.body.results).toEqual([{ itemId: first, result: 'applied' }]);
      const afterOne = await waitForOrder(orderId, (order) => order.itemCounts.resolved === 1);
      expect(afterOne.status).toBe('awaiting_platform');
      expect(afterOne.itemCounts.pending).toBe(3);

      const two = await receiver.answer(orderId, [
        { itemId: first, outcome: 'removed' },
        { itemId: second, outcome: 'restricted' },
      ]);
      expect(two.body.results).toEqual([
        { itemId: first, result: 'already_final' },
        { itemId: second, result: 'applied' },
      ]);

      await receiver.answer(orderId, [
        { itemId: third, outcome: 'rejected', reason: objection },
        { itemId: fourth, outcome: 'rejected', reason: objection },
      ]);
      const underReview = await waitForOrder(orderId, (order) => order.status === 'under_review', {
        what: 'under_review',
      });
      expect(underReview.itemCounts).toMatchObject({ resolved: 2, disputed: 2, pending: 0 });

      const upheld = await api('POST', `/v1/takedown-requests/${orderId}/review`, {
        as: AGENCY,
        body: { itemIds: [third], decision: 'uphold', note: 'The content is not satire.' },
      });
      expect(upheld.status).toBe(200);
      const withdrawn = await api('POST', `/v1/takedown-requests/${orderId}/review`, {
        as: AGENCY,
        body: { itemIds: [fourth], decision: 'withdraw', note: 'Accepted the objection.' },
      });
      expect(withdrawn.status).toBe(200);
      const decided = await waitFor(
        () => receiver.received.find((webhook) => webhook.type === 'takedown.review_decided'),
        { what: 'takedown.review_decided' },
      );
      expect(decided.signatureValid).toBe(true);
      const reopened = await waitForOrder(orderId, (order) => order.status === 'awaiting_platform');
      expect(reopened.items.find((item) => item.id === third)?.status).toBe('pending');
      expect(reopened.items.find((item) => item.id === fourth)?.status).toBe('withdrawn');

      await receiver.answer(orderId, [{ itemId: third, outcome: 'removed' }]);
      const done = await waitForOrder(
        orderId,
        (order) => ['complied', 'complied_late'].includes(order.status),
        {
          what: 'a final status',
        },
      );
      expect(done.itemCounts).toMatchObject({ resolved: 3, withdrawn: 1, pending: 0, disputed: 0 });
      const actions = (await getAudit(orderId)).map((entry) => entry.action);
      expect(actions.filter((action) => action === 'items_answered').length).toBeGreaterThanOrEqual(4);
      expect(actions).toEqual(expect.arrayContaining(['review_upheld', 'review_withdrawn', 'finalized']));
    } finally {
      await receiver.close();
    }
  });
});
