import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fineIndexValuesSchema,
  fineModelOf,
  InvalidFineModelError,
  itemFine,
  orderFine,
  type PointsFineModel,
  pointsFine,
} from '../../../functions/src/domain/fine-formula';
import { totalFine } from '../../../functions/src/domain/fines';
import { DEFAULT_POLICY } from '../policy-fixture';
import { itemRecord, orderRecord, pointsPolicy } from '../report-fixtures';

const model = fineModelOf(pointsPolicy()) as PointsFineModel;

describe('SAMAN points model', () => {
  it('multiplies the six indices by 5,000 points and the tariff', () => {
    const fine = pointsFine(model, { ugc: 0.5, businessScale: 0.8, compliance: 0.6, virality: 0.25 });
    expect(fine.indexProduct).toBe('0.06');
    expect(fine.points).toBe('300');
    expect(fine.uncapped).toBe(30_000_000);
    expect(fine.amount).toBe(30_000_000);
    expect(fine.capped).toBe(false);
    expect(fine.formula).toBe(
      '(content 1 × ugc 0.5 × businessScale 0.8 × warning 1 × compliance 0.6 × virality 0.25) × 5000 points = 300 points × 100000 IDR = 30000000 IDR',
    );
  });

  it('is exact: six indices of 0.3333 give 6.854596364746237996845 points, rounded half up only at the end', () => {
    const third = {
      content: 0.3333,
      ugc: 0.3333,
      businessScale: 0.3333,
      warning: 0.3333,
      compliance: 0.3333,
      virality: 0.3333,
    };
    const one = fineModelOf(pointsPolicy({ tariffPerPoint: 1 })) as PointsFineModel;
    expect(pointsFine(one, third).points).toBe('6.854596364746237996845');
    expect(pointsFine(one, third).amount).toBe(7);
    const seven = fineModelOf(pointsPolicy({ tariffPerPoint: 7 })) as PointsFineModel;
    expect(pointsFine(seven, third).amount).toBe(48);
  });

  it('caps each item (the policy cap unless fine.points sets its own)', () => {
    expect(pointsFine(model).uncapped).toBe(500_000_000);
    const big = fineModelOf(pointsPolicy({ tariffPerPoint: 200_000 })) as PointsFineModel;
    expect(pointsFine(big)).toMatchObject({ uncapped: 1_000_000_000, amount: 500_000_000, capped: true });
    const ownCap = fineModelOf(
      pointsPolicy({ tariffPerPoint: 200_000, capPerItem: 750_000_000 }),
    ) as PointsFineModel;
    expect(pointsFine(ownCap).amount).toBe(750_000_000);
  });

  it("takes each index from the item, else the order, else the policy's default", () => {
    const withDefaults = fineModelOf(
      pointsPolicy({
        indexDefaults: { content: 1, ugc: 1, businessScale: 0.5, warning: 1, compliance: 1, virality: 1 },
      }),
    ) as PointsFineModel;
    const fine = pointsFine(withDefaults, { content: 0.8, virality: 0.5 }, { virality: 0.2 });
    expect(fine.indices.content).toEqual({ value: 0.8, source: 'order' });
    expect(fine.indices.virality).toEqual({ value: 0.2, source: 'item' });
    expect(fine.indices.businessScale).toEqual({ value: 0.5, source: 'policy' });
    expect(fine.points).toBe('400');
  });

  it('refuses index values outside 0..1 or with more than 4 decimals, and a points model without its section', () => {
    expect(fineIndexValuesSchema.safeParse({ content: 1.5 }).success).toBe(false);
    expect(fineIndexValuesSchema.safeParse({ content: 0.12345 }).success).toBe(false);
    expect(fineIndexValuesSchema.safeParse({ content: 0.1234 }).success).toBe(true);
    expect(fineIndexValuesSchema.safeParse({ speed: 1 }).success).toBe(false);
    const broken = {
      ...DEFAULT_POLICY,
      fine: { ...DEFAULT_POLICY.fine, model: 'points' },
    } as typeof DEFAULT_POLICY;
    expect(() => fineModelOf(broken)).toThrow(InvalidFineModelError);
  });
});

describe('which items a fine applies to', () => {
  const st2At = '2026-11-29T01:00:05.000Z';
  const order = orderRecord({ policy: pointsPolicy(), stage: 'st2', st2At });

  it('points: once for items open when ST2 began, none for items answered before it or withdrawn', () => {
    const now = new Date('2026-12-05T00:00:00Z');
    const pending = itemRecord(order.orderId, 1);
    const lateAnswer = itemRecord(order.orderId, 2, {
      status: 'resolved',
      outcome: 'removed',
      answeredAt: '2026-11-30T00:00:00.000Z',
    });
    const early = itemRecord(order.orderId, 3, {
      status: 'resolved',
      outcome: 'removed',
      answeredAt: '2026-11-27T09:00:00.000Z',
    });
    const withdrawn = itemRecord(order.orderId, 4, { status: 'withdrawn' });
    const result = orderFine(order, [pending, lateAnswer, early, withdrawn], now);
    expect(result.items.map((entry) => entry.breakdown.amount)).toEqual([500_000_000, 500_000_000, 0, 0]);
    expect(result.total).toBe(1_000_000_000);
    expect(result.items[2]?.breakdown).toMatchObject({ model: 'none', reason: 'not_open_at_st2' });
    // A one-off fine does not grow with time.
    expect(itemFine(order, pending, new Date('2027-06-01T00:00:00Z')).amount).toBe(500_000_000);
  });

  it("points: reads the order's and the item's fineIndices", () => {
    const withIndices = { ...order, fineIndices: { virality: 0.5 } };
    const item = { ...itemRecord(order.orderId, 1), fineIndices: { ugc: 0.5 } };
    expect(orderFine(withIndices, [item], new Date()).total).toBe(125_000_000);
  });

  it('none before ST2', () => {
    const early = orderRecord({ policy: pointsPolicy() });
    expect(itemFine(early, itemRecord(early.orderId, 1), new Date()).amount).toBe(0);
  });

  it("flat: the same amount as today's order view for any item and time", () => {
    const day = 86_400_000;
    fc.assert(
      fc.property(
        fc.constantFrom('pending', 'resolved', 'disputed'),
        fc.nat(5).map((n) => n * 5_000_000),
        fc.option(fc.nat(10 * day)),
        fc.nat(120 * day),
        fc.boolean(),
        (status, settled, upheldAfter, elapsed, finalized) => {
          const st2 = new Date(st2At).getTime();
          const flatOrder = orderRecord({
            stage: 'st2',
            st2At,
            finalizedAt: finalized ? new Date(st2 + elapsed / 2).toISOString() : null,
          });
          const accruingSince = upheldAfter === null ? null : new Date(st2 + upheldAfter).toISOString();
          const item = itemRecord(flatOrder.orderId, 1, {
            status,
            fineSettled: settled,
            fineAccruingSince: accruingSince,
          });
          const now = new Date(st2 + elapsed);
          const since = status === 'pending' ? (accruingSince ?? st2At) : null;
          const until = flatOrder.finalizedAt ? new Date(flatOrder.finalizedAt) : now;
          const expected = totalFine(DEFAULT_POLICY, settled, since ? new Date(since) : null, until);
          expect(itemFine(flatOrder, item, now).amount).toBe(expected);
        },
      ),
    );
  });

  it('flat: the breakdown shows periods, tariff and cap', () => {
    const flatOrder = orderRecord({ stage: 'st2', st2At });
    const fine = itemFine(flatOrder, itemRecord(flatOrder.orderId, 1), new Date('2026-12-01T02:00:00Z'));
    expect(fine).toMatchObject({
      model: 'flat',
      periods: 3,
      perItemPerPeriod: 5_000_000,
      amount: 15_000_000,
    });
    expect(fine.formula).toBe('3 period(s) of P1D × 5000000 IDR = 15000000 IDR');
  });
});
