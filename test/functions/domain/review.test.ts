import { describe, expect, it } from 'vitest';
import { reviewDisputedItems } from '../../../functions/src/domain/review';
import { at, byId, HOUR, notifiedOrder } from './records-fixture';

const disputed = (st2At: string | null = null) => {
  const { order, items } = notifiedOrder(3, {
    st2At,
    stage: st2At === null ? 'order' : 'st2',
    itemCounts: { total: 3, pending: 1, resolved: 0, disputed: 2, withdrawn: 0 },
  });
  return {
    order,
    items: byId(
      items.map((item) => (item.itemId === '000003' ? item : { ...item, status: 'disputed' as const })),
    ),
  };
};

describe('reviewDisputedItems', () => {
  it('upholds disputed items with a fresh deadline for the current stage; others are reported', () => {
    const { order, items } = disputed();
    const now = at(10 * HOUR);
    const result = reviewDisputedItems(
      order,
      items,
      ['000001', '000003', 'nope'],
      { decision: 'uphold', note: 'n' },
      now,
    );
    expect(result.results).toEqual([
      { itemId: '000001', result: 'applied' },
      { itemId: '000003', result: 'not_disputed' },
      { itemId: 'nope', result: 'not_found' },
    ]);
    expect(result.updates[0]).toEqual({
      itemId: '000001',
      expectedStatus: 'disputed',
      set: {
        status: 'pending',
        review: { decision: 'uphold', note: 'n', at: now.toISOString() },
        deadlineAt: at(34 * HOUR).toISOString(),
        outcome: null,
        answeredAt: null,
        onTime: null,
        fineAccruingSince: null,
      },
    });
    expect(result.itemCounts).toMatchObject({ pending: 2, disputed: 1 });
  });

  it('restarts the fines of an item upheld past ST2, and closes withdrawn ones', () => {
    const { order, items } = disputed(at(48 * HOUR).toISOString());
    const now = at(50 * HOUR);
    const upheld = reviewDisputedItems(order, items, ['000001'], { decision: 'uphold', note: 'n' }, now);
    expect(upheld.updates[0]?.set.fineAccruingSince).toBe(now.toISOString());
    const withdrawn = reviewDisputedItems(order, items, ['000002'], { decision: 'withdraw', note: 'n' }, now);
    expect(withdrawn.updates[0]?.set).toEqual({
      status: 'withdrawn',
      review: { decision: 'withdraw', note: 'n', at: now.toISOString() },
    });
    expect(withdrawn.itemCounts).toMatchObject({ disputed: 1, withdrawn: 1 });
  });
});
