import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accruedFine,
  fineAccruingSince,
  fineRestartFor,
  fineSettledAt,
  itemFine,
  totalFine,
} from '../../../functions/src/domain/fines';
import { DEFAULT_POLICY } from '../policy-fixture';

const st2 = new Date('2026-11-27T00:00:00Z');
const day = 86_400_000;
const at = (ms: number) => new Date(st2.getTime() + ms);

describe('accruedFine', () => {
  it('charges the first period with the fine notice and one more per started day', () => {
    expect(accruedFine(DEFAULT_POLICY, st2, st2)).toBe(5_000_000);
    expect(accruedFine(DEFAULT_POLICY, st2, at(day - 1))).toBe(5_000_000);
    expect(accruedFine(DEFAULT_POLICY, st2, at(day))).toBe(10_000_000);
    expect(accruedFine(DEFAULT_POLICY, st2, at(3 * day + 5))).toBe(20_000_000);
  });

  it('stops at the cap per item', () => {
    expect(accruedFine(DEFAULT_POLICY, st2, at(1_000 * day))).toBe(500_000_000);
  });

  it('never decreases with time and never exceeds the cap', () => {
    fc.assert(
      fc.property(fc.nat(400 * day), fc.nat(400 * day), (left, right) => {
        const [early, late] = left <= right ? [left, right] : [right, left];
        const a = accruedFine(DEFAULT_POLICY, st2, at(early));
        const b = accruedFine(DEFAULT_POLICY, st2, at(late));
        return a <= b && b <= DEFAULT_POLICY.fine.capPerItem;
      }),
    );
  });
});

describe('totalFine', () => {
  it('keeps what accrued before a late removal once accrual stopped', () => {
    const settled = accruedFine(DEFAULT_POLICY, st2, at(2 * day));
    expect(totalFine(DEFAULT_POLICY, settled, null, at(30 * day))).toBe(15_000_000);
  });

  it('adds a new run to the settled amount without passing the cap', () => {
    expect(totalFine(DEFAULT_POLICY, 498_000_000, at(0), at(10 * day))).toBe(500_000_000);
  });
});

describe('when fines accrue (one rule for views, answers and webhooks)', () => {
  const order = { policy: DEFAULT_POLICY, st2At: st2.toISOString(), finalizedAt: null };
  const item = { status: 'pending', fineSettled: 0, fineAccruingSince: null };

  it('runs for pending items from ST2, or from an uphold after it, and not before or once closed', () => {
    expect(fineAccruingSince({ st2At: null }, item)).toBeNull();
    expect(fineAccruingSince(order, { ...item, status: 'resolved' })).toBeNull();
    expect(fineAccruingSince(order, item)).toEqual(st2);
    expect(fineAccruingSince(order, { ...item, fineAccruingSince: at(day).toISOString() })).toEqual(at(day));
    expect(fineRestartFor({ st2At: null }, at(day))).toBeNull();
    expect(fineRestartFor(order, at(day))).toBe(at(day).toISOString());
  });

  it('stops growing when the order is final, and an answer settles what accrued until then', () => {
    expect(itemFine({ order, item }, at(2 * day))).toBe(15_000_000);
    expect(itemFine({ order: { ...order, finalizedAt: at(day - 1).toISOString() }, item }, at(9 * day))).toBe(
      5_000_000,
    );
    expect(fineSettledAt({ order, item: { ...item, fineSettled: 1_000 } }, at(day))).toBe(10_001_000);
    expect(
      fineSettledAt({ order: { ...order, st2At: null }, item: { ...item, fineSettled: 7 } }, at(day)),
    ).toBe(7);
  });
});
