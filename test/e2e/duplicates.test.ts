import { describe, expect, it } from 'vitest';
import {
  AGENCY,
  api,
  getOrder,
  OTHER_AGENCY,
  orderBody,
  startRegisteredPlatform,
  submitOrder,
  waitForOrder,
} from './harness';

interface DuplicateEntry {
  index: number;
  sameAgency: boolean;
  orderId?: string;
  itemId?: string;
}

const urls = (...locators: string[]) => locators.map((locator) => ({ kind: 'url', locator }));

// Issue 10 §4 through HTTP: the local cloud's `fast` policy has the default `duplicateLocators: warn` (the 422 of
// `reject` is covered by test/functions/use-cases/duplicates.test.ts).
describe('duplicates across open orders', () => {
  it("reports the agency's own open items with their ids, another agency's only as existing", async () => {
    const { platformId, receiver } = await startRegisteredPlatform();
    try {
      const run = `https://judi.example/${Date.now().toString(36)}`;
      const first = await submitOrder(orderBody({ platformId, items: urls(`${run}/a?x=1&y=2`, `${run}/b`) }));
      expect(first.status).toBe(201);
      const theirs = await submitOrder(orderBody({ platformId, items: urls(`${run}/c`) }), {
        as: OTHER_AGENCY,
      });
      expect(theirs.status).toBe(201);

      const second = await submitOrder(
        orderBody({
          platformId,
          items: urls(`${run.replace('https://judi', 'HTTPS://JUDI')}/a?y=2&x=1#top`, `${run}/c`, `${run}/d`),
        }),
      );
      expect(second.status).toBe(201);
      const duplicates = (second.body as unknown as { duplicates: DuplicateEntry[] }).duplicates;
      expect(duplicates).toEqual([
        { index: 0, sameAgency: true, orderId: first.body.id, itemId: '000001' },
        { index: 1, sameAgency: false },
      ]);
      expect(JSON.stringify(second.body)).not.toContain(theirs.body.id);

      // The order view keeps them after the submit.
      const view = (await getOrder(second.body.id)) as unknown as {
        duplicateCount: number;
        items: { duplicate: Omit<DuplicateEntry, 'index'> | null }[];
      };
      expect(view.duplicateCount).toBe(2);
      expect(view.items.map((item) => item.duplicate)).toEqual([
        { sameAgency: true, orderId: first.body.id, itemId: '000001' },
        { sameAgency: false },
        null,
      ]);

      // A withdrawn order's items are no longer open: the same locator is no duplicate any more.
      await waitForOrder(first.body.id, (order) => order.status === 'awaiting_platform');
      const withdrawal = await api('POST', `/v1/takedown-requests/${first.body.id}/withdrawal`, {
        as: AGENCY,
        body: { reason: 'Court order annulled.' },
      });
      expect(withdrawal.status).toBe(200);
      const third = await submitOrder(orderBody({ platformId, items: urls(`${run}/b`) }));
      expect((third.body as unknown as { duplicates: DuplicateEntry[] }).duplicates).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});
