import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  counterReadPlan,
  growingFines,
  InvalidStatisticsFilterError,
  type StatisticsFilter,
  statisticsFromCells,
  statisticsFromOrders,
  validateFilter,
} from '../../../functions/src/domain/statistics';
import {
  type CounterCell,
  counterRecordKey,
  mergeCells,
  orderContribution,
} from '../../../functions/src/domain/statistics-counters';
import {
  exactQuantile,
  SKETCH_RELATIVE_ACCURACY,
  sketchBucket,
  sketchQuantile,
  sketchValue,
} from '../../../functions/src/domain/statistics-sketch';
import { craftedOrders } from '../crafted-orders';

const now = new Date('2026-12-02T06:00:00.000Z');
const november: StatisticsFilter = { from: '2026-11-27', to: '2026-11-30', zone: 'UTC' };

describe('statistics on a crafted set of orders', () => {
  const stats = statisticsFromOrders(craftedOrders(), november, now);
  const { total } = stats;

  it('counts orders and items, by status and by outcome', () => {
    expect(total.orders).toBe(4);
    expect(total.items).toBe(10);
    expect(total.ordersByStatus).toMatchObject({
      complied: 2,
      referred_for_blocking: 1,
      awaiting_platform: 1,
      notifying: 0,
    });
    expect(total.itemsByStatus).toEqual({ pending: 3, resolved: 5, disputed: 1, withdrawn: 1 });
    expect(total.itemsByOutcome).toEqual({
      removed: 2,
      restricted: 1,
      account_suspended: 1,
      not_found: 1,
      rejected: 2,
      none: 3,
    });
  });

  it('counts items taken down on time, late and never, and the on-time rate', () => {
    expect(total.removed).toEqual({ onTime: 3, late: 1, never: 1 });
    expect(total.onTimeRate).toBe(0.6);
    expect(stats.platforms.michat?.removed).toEqual({ onTime: 2, late: 1, never: 1 });
    expect(stats.platforms.michat?.onTimeRate).toBe(0.5);
    expect(stats.platforms.tiktok?.onTimeRate).toBe(1);
  });

  it('gives p50 / p90 / max of served → answer over resolved items within 1 %', () => {
    // Resolved: 1,800 s, 3,600 s, 7,200 s, 43,200 s, 108,000 s.
    const { count, p50, p90, max } = total.timeToComplySeconds;
    expect(count).toBe(5);
    expect(Math.abs((p50 as number) / 7_200 - 1)).toBeLessThanOrEqual(0.01);
    expect(Math.abs((p90 as number) / 43_200 - 1)).toBeLessThanOrEqual(0.01);
    expect(Math.abs((max as number) / 108_000 - 1)).toBeLessThanOrEqual(0.01);
    expect(stats.quantileRelativeAccuracy).toBeCloseTo(0.0099, 4);
  });

  it('counts orders that reached each stage', () => {
    expect(total.stagesReached).toEqual({ st1: 2, st2: 2, st3: 1 });
  });

  it('separates the fine that is final from the fine still growing', () => {
    expect(total.fines).toEqual([
      { currency: 'IDR', accrued: 40_000_000, final: 15_000_000, stillGrowing: 25_000_000 },
    ]);
    expect(stats.platforms.michat?.fines).toEqual([
      { currency: 'IDR', accrued: 15_000_000, final: 15_000_000, stillGrowing: 0 },
    ]);
  });

  it('counts contested items and their outcomes, with the rejection reasons', () => {
    expect(total.contested).toEqual({
      items: 3,
      upheld: 1,
      withdrawn: 1,
      awaitingDecision: 1,
      reasons: { manifest_error: 1, insufficient_information: 1, legal_objection: 1 },
    });
  });

  it('counts clarifications', () => {
    expect(total.clarifications).toEqual({ asked: 2, answered: 1, orders: 2 });
  });

  it('gives the median latency of the answered webhook attempts of the period', () => {
    expect(total.deliveryLatencyMs.attempts).toBe(4);
    expect(Math.abs((total.deliveryLatencyMs.median as number) / 200 - 1)).toBeLessThanOrEqual(0.01);
    expect(stats.platforms.michat?.deliveryLatencyMs.attempts).toBe(2);
  });

  it('filters by platform, agency and category', () => {
    const tiktok = statisticsFromOrders(craftedOrders(), { ...november, platformId: 'tiktok' }, now);
    expect(Object.keys(tiktok.platforms)).toEqual(['tiktok']);
    expect(tiktok.total.orders).toBe(2);
    const komdigi = statisticsFromOrders(craftedOrders(), { ...november, agencyId: 'komdigi-ais' }, now);
    expect(komdigi.total.orders).toBe(2);
    expect(komdigi.total.fines[0]?.stillGrowing).toBe(0);
    const fraud = statisticsFromOrders(craftedOrders(), { ...november, category: 'fraud' }, now);
    expect(fraud.total.items).toBe(5);
  });

  it('counts days in the time zone asked for', () => {
    const utc = statisticsFromOrders(
      craftedOrders(),
      { from: '2026-11-29', to: '2026-11-29', zone: 'UTC' },
      now,
    );
    const wib = statisticsFromOrders(
      craftedOrders(),
      { from: '2026-11-29', to: '2026-11-29', zone: 'Asia/Jakarta' },
      now,
    );
    expect(utc.total.orders).toBe(1); // O4
    expect(wib.total.orders).toBe(2); // O2 (03:00 WIB) and O4
  });

  it('answers the same from counter cells (day and month cells) as from the records', () => {
    const cells = new Map<string, CounterCell>();
    for (const snapshot of craftedOrders())
      mergeCells(cells, orderContribution(snapshot, ['UTC', 'Asia/Jakarta']));
    const open = craftedOrders().filter((snapshot) => snapshot.order.finalizedAt === null);
    for (const filter of [november, { from: '2026-11-01', to: '2026-12-31', zone: 'Asia/Jakarta' }]) {
      const fromCells = statisticsFromCells(cells.values(), growingFines(open, filter, now), filter, now);
      expect(fromCells).toEqual(statisticsFromOrders(craftedOrders(), filter, now));
    }
  });
});

describe('statistics filters and read plan', () => {
  it('refuses bad dates, reversed ranges, too long ranges and unknown zones', () => {
    for (const filter of [
      { from: '2026-13-01', to: '2026-12-01', zone: 'UTC' },
      { from: '2026-02-30', to: '2026-03-01', zone: 'UTC' },
      { from: '2026-12-02', to: '2026-12-01', zone: 'UTC' },
      { from: '2024-01-01', to: '2026-01-01', zone: 'UTC' },
      { from: '2026-01-01', to: '2026-01-02', zone: 'Mars/Olympus' },
    ])
      expect(() => validateFilter(filter)).toThrow(InvalidStatisticsFilterError);
  });

  it('reads whole months as month cells and the ends as day cells', () => {
    expect(counterReadPlan('2026-01-30', '2026-04-02')).toEqual({
      months: ['2026-02', '2026-03'],
      days: ['2026-01-30', '2026-01-31', '2026-04-01', '2026-04-02'],
    });
    expect(counterReadPlan('2026-01-01', '2026-12-31').months).toHaveLength(12);
    expect(counterReadPlan('2026-01-01', '2026-12-31').days).toHaveLength(0);
  });

  it('keys cells by zone and month, then day and dimensions', () => {
    const cell = {
      zone: 'Asia/Jakarta',
      period: 'day' as const,
      date: '2026-11-29',
      platformId: 'michat',
      agencyId: 'komdigi-ais',
      category: 'gambling',
    };
    expect(counterRecordKey(cell)).toEqual({
      pk: 'STATS#Asia/Jakarta#2026-11',
      sk: '29#michat#komdigi-ais#gambling',
    });
    expect(counterRecordKey({ ...cell, period: 'month', date: '2026-11' }).sk).toBe(
      'M#michat#komdigi-ais#gambling',
    );
  });
});

describe('duration buckets', () => {
  it('answer every quantile within 1 % of the exact nearest-rank quantile', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 30 * 86_400_000 }), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, q) => {
          const counts = new Map<number, number>();
          for (const value of values)
            counts.set(sketchBucket(value), (counts.get(sketchBucket(value)) ?? 0) + 1);
          const exact = exactQuantile(values, q) as number;
          const estimate = sketchQuantile(counts, q) as number;
          expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(SKETCH_RELATIVE_ACCURACY + 1e-12);
        },
      ),
    );
    expect(sketchQuantile(new Map(), 0.5)).toBeNull();
    expect(sketchValue(sketchBucket(0))).toBe(0);
  });
});
