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
  type OrderSnapshot,
  orderContribution,
} from '../../../functions/src/domain/statistics-counters';
import {
  exactQuantile,
  SKETCH_RELATIVE_ACCURACY,
  sketchBucket,
  sketchQuantile,
  sketchValue,
} from '../../../functions/src/domain/statistics-sketch';
import { deliveryAttempt, itemRecord, orderRecord } from '../report-fixtures';

const h = 3_600_000;
const plus = (iso: string, ms: number) => new Date(new Date(iso).getTime() + ms).toISOString();

/**
 * The crafted set (see the expectations below for each number):
 * - O1 michat/komdigi-ais/gambling, served 11-27: three items answered on time (1 h removed, 2 h restricted,
 *   30 min not found); complied.
 * - O2 michat/komdigi-ais/gambling, served 11-28 20:00 UTC (11-29 in WIB): one removed late after 30 h, one left up
 *   to ST3 (fined from ST2 for 2 days: 3 periods, 15,000,000 final); one clarification asked and answered.
 * - O3 tiktok/polri-siber/fraud, served 11-28, open at ST2: one rejected awaiting review, one rejected and upheld
 *   (accruing again), one pending; an open clarification; 25,000,000 still growing at `now`.
 * - O4 tiktok/polri-siber/fraud, served 11-29: one rejected then withdrawn by the agency, one account suspended
 *   on time after 12 h; complied.
 * - O5 never served, O6 served after the period: not counted.
 */
function craftedOrders(): OrderSnapshot[] {
  const o1Served = '2026-11-27T01:00:05.000Z';
  const o1 = orderRecord({
    orderId: 'o1',
    status: 'complied',
    servedAt: o1Served,
    finalizedAt: plus(o1Served, 2 * h),
  });
  const o2Served = '2026-11-28T20:00:00.000Z';
  const o2 = orderRecord({
    orderId: 'o2',
    servedAt: o2Served,
    notifiedAt: o2Served,
    status: 'referred_for_blocking',
    stage: 'st3',
    st2At: plus(o2Served, 48 * h),
    finalizedAt: plus(o2Served, 96 * h),
    stageHistory: [
      { stage: 'order', at: o2Served, deadlineAt: plus(o2Served, 24 * h) },
      { stage: 'st1', at: plus(o2Served, 24 * h), deadlineAt: plus(o2Served, 48 * h) },
      { stage: 'st2', at: plus(o2Served, 48 * h), deadlineAt: plus(o2Served, 96 * h) },
      { stage: 'st3', at: plus(o2Served, 96 * h), deadlineAt: null },
    ],
    clarifications: [
      {
        seq: 1,
        question: 'Which post?',
        askedAt: plus(o2Served, h),
        answer: 'The second.',
        answeredAt: plus(o2Served, 2 * h),
        receivedAt: plus(o2Served, 2 * h),
      },
    ],
  });
  const o3Served = '2026-11-28T05:00:00.000Z';
  const o3 = orderRecord({
    orderId: 'o3',
    platformId: 'tiktok',
    agencyId: 'polri-siber',
    category: 'fraud',
    servedAt: o3Served,
    notifiedAt: o3Served,
    stage: 'st2',
    st2At: '2026-11-30T05:00:00.000Z',
    stageHistory: [
      { stage: 'order', at: o3Served, deadlineAt: plus(o3Served, 24 * h) },
      { stage: 'st1', at: plus(o3Served, 24 * h), deadlineAt: plus(o3Served, 48 * h) },
      { stage: 'st2', at: plus(o3Served, 48 * h), deadlineAt: plus(o3Served, 96 * h) },
    ],
    clarification: {
      seq: 1,
      question: 'Is this the right account?',
      askedAt: plus(o3Served, 3 * h),
      answer: null,
      answeredAt: null,
      receivedAt: null,
    },
  });
  const o4Served = '2026-11-29T10:00:00.000Z';
  const o4 = orderRecord({
    orderId: 'o4',
    platformId: 'tiktok',
    agencyId: 'polri-siber',
    category: 'fraud',
    servedAt: o4Served,
    notifiedAt: o4Served,
    status: 'complied',
    finalizedAt: plus(o4Served, 20 * h),
  });
  const o5 = orderRecord({
    orderId: 'o5',
    servedAt: null,
    notifiedAt: null,
    status: 'notifying',
    deadlineAt: null,
  });
  const o6 = orderRecord({
    orderId: 'o6',
    servedAt: '2026-12-10T00:00:00.000Z',
    notifiedAt: '2026-12-10T00:00:00.000Z',
  });
  const resolved = (
    served: string,
    ms: number,
    outcome: 'removed' | 'restricted' | 'not_found' | 'account_suspended',
    onTime: boolean,
  ) => ({
    status: 'resolved' as const,
    outcome,
    answeredAt: plus(served, ms),
    onTime,
  });
  const rejected = (code: string) => ({
    outcome: 'rejected' as const,
    reason: { code, explanation: 'We disagree.' },
    answeredAt: plus(o3Served, 2 * h),
    onTime: true,
  });
  return [
    {
      order: o1,
      items: [
        itemRecord('o1', 1, resolved(o1Served, h, 'removed', true)),
        itemRecord('o1', 2, resolved(o1Served, 2 * h, 'restricted', true)),
        itemRecord('o1', 3, resolved(o1Served, h / 2, 'not_found', true)),
      ],
      deliveries: [deliveryAttempt('o1', { at: o1Served, latencyMs: 100 })],
    },
    {
      order: o2,
      items: [itemRecord('o2', 1, resolved(o2Served, 30 * h, 'removed', false)), itemRecord('o2', 2)],
      deliveries: [
        deliveryAttempt('o2', { at: plus(o2Served, -1000), httpStatus: 503, latencyMs: 5 }),
        deliveryAttempt('o2', { at: o2Served, latencyMs: 300 }),
      ],
    },
    {
      order: o3,
      items: [
        itemRecord('o3', 1, { status: 'disputed', ...rejected('manifest_error') }),
        itemRecord('o3', 2, {
          status: 'pending',
          reason: { code: 'insufficient_information', explanation: 'Which one?' },
          review: { decision: 'uphold', note: 'It is illegal.', at: '2026-12-01T05:00:00.000Z' },
          deadlineAt: '2026-12-03T05:00:00.000Z',
          fineAccruingSince: '2026-12-01T05:00:00.000Z',
        }),
        itemRecord('o3', 3),
      ],
      deliveries: [deliveryAttempt('o3', { at: o3Served, latencyMs: 200 })],
    },
    {
      order: o4,
      items: [
        itemRecord('o4', 1, {
          status: 'withdrawn',
          ...rejected('legal_objection'),
          review: { decision: 'withdraw', note: 'Agreed.', at: plus(o4Served, 5 * h) },
        }),
        itemRecord('o4', 2, resolved(o4Served, 12 * h, 'account_suspended', true)),
      ],
      deliveries: [deliveryAttempt('o4', { at: o4Served, latencyMs: 400 })],
    },
    { order: o5, items: [itemRecord('o5', 1)] },
    {
      order: o6,
      items: [itemRecord('o6', 1)],
      deliveries: [deliveryAttempt('o6', { at: '2026-12-10T00:00:00.000Z' })],
    },
  ];
}

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
