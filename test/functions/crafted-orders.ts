/** The crafted set of orders with known statistics (docs/reports.md, "Worked example"). */
import type { OrderSnapshot } from '../../functions/src/domain/statistics-counters';
import { deliveryAttempt, itemRecord, orderRecord } from './report-fixtures';

export const h = 3_600_000;
export const plus = (iso: string, ms: number) => new Date(new Date(iso).getTime() + ms).toISOString();

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
export function craftedOrders(): OrderSnapshot[] {
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
