import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  announcingEvent,
  countItems,
  deadlineFor,
  effectiveDeadline,
  finalOrderStatus,
  ITEM_STATUSES,
  isLastStage,
  isOnTime,
  nextStage,
  openOrderStatus,
  STAGES,
  statusAfterOutcome,
} from '../../../functions/src/domain/order-rules';
import { DEFAULT_POLICY } from '../policy-fixture';

const delivered = new Date('2026-11-27T10:00:00Z');

describe('deadlineFor', () => {
  it('gives urgent orders 4 hours and standard ones 24 from delivery', () => {
    expect(deadlineFor(DEFAULT_POLICY, 'urgent', 'order', delivered)?.toISOString()).toBe(
      '2026-11-27T14:00:00.000Z',
    );
    expect(deadlineFor(DEFAULT_POLICY, 'standard', 'order', delivered)?.toISOString()).toBe(
      '2026-11-28T10:00:00.000Z',
    );
  });

  it('uses the stage durations after escalation and none at ST3', () => {
    expect(deadlineFor(DEFAULT_POLICY, 'standard', 'st2', delivered)?.toISOString()).toBe(
      '2026-11-29T10:00:00.000Z',
    );
    expect(deadlineFor(DEFAULT_POLICY, 'urgent', 'st2', delivered)?.toISOString()).toBe(
      '2026-11-28T10:00:00.000Z',
    );
    expect(deadlineFor(DEFAULT_POLICY, 'urgent', 'st3', delivered)).toBeNull();
  });
});

describe('nextStage', () => {
  it('climbs order → ST1 reminder → ST2 fine notice → ST3 blocking referral, then stops', () => {
    expect(nextStage('order')).toEqual({ stage: 'st1', event: 'takedown.reminder', final: false });
    expect(nextStage('st1')).toEqual({ stage: 'st2', event: 'takedown.fine_notice', final: false });
    expect(nextStage('st2')).toEqual({ stage: 'st3', event: 'takedown.blocking_referral', final: true });
    expect(nextStage('st3')).toBeNull();
  });
});

describe('the stage ladder', () => {
  it('announces each stage with the event that escalated to it, and only the last has nothing after it', () => {
    for (const stage of STAGES) {
      const next = nextStage(stage);
      if (next !== null) expect(announcingEvent(next.stage)).toBe(next.event);
      expect(next === null).toBe(isLastStage(stage));
    }
    expect(announcingEvent('order')).toBeNull();
  });
});

describe('item outcomes', () => {
  it('turns a rejection into a dispute and anything else into resolved', () => {
    expect(statusAfterOutcome('rejected')).toBe('disputed');
    for (const outcome of ['removed', 'restricted', 'account_suspended', 'not_found'] as const) {
      expect(statusAfterOutcome(outcome)).toBe('resolved');
    }
  });

  it('counts an answer received exactly at the deadline as on time, a millisecond later as late', () => {
    const deadline = new Date('2026-11-27T14:00:00Z');
    expect(isOnTime(deadline, deadline)).toBe(true);
    expect(isOnTime(new Date(deadline.getTime() + 1), deadline)).toBe(false);
  });

  it('lets an upheld item keep its later fresh deadline but never shortens the order one', () => {
    const order = new Date('2026-11-27T14:00:00Z');
    const later = new Date('2026-11-28T14:00:00Z');
    expect(effectiveDeadline(order, later)).toEqual(later);
    expect(effectiveDeadline(later, order)).toEqual(later);
    expect(effectiveDeadline(order, null)).toEqual(order);
  });
});

describe('finalOrderStatus', () => {
  it('is complied when every item was resolved on time in the first stage', () => {
    const items = [
      { status: 'resolved' as const, onTime: true },
      { status: 'withdrawn' as const, onTime: null },
    ];
    expect(finalOrderStatus({ currentStatus: 'awaiting_platform', stage: 'order', items })).toBe('complied');
  });

  it('is complied_late when one item was late or the order escalated', () => {
    const late = [
      { status: 'resolved' as const, onTime: true },
      { status: 'resolved' as const, onTime: false },
    ];
    expect(finalOrderStatus({ currentStatus: 'awaiting_platform', stage: 'order', items: late })).toBe(
      'complied_late',
    );
    const onTime = [{ status: 'resolved' as const, onTime: true }];
    expect(finalOrderStatus({ currentStatus: 'awaiting_platform', stage: 'st1', items: onTime })).toBe(
      'complied_late',
    );
  });

  it('keeps withdrawn, refers ST3 for blocking, and treats an all-withdrawn order as withdrawn', () => {
    const items = [{ status: 'resolved' as const, onTime: true }];
    expect(finalOrderStatus({ currentStatus: 'withdrawn', stage: 'order', items })).toBe('withdrawn');
    expect(finalOrderStatus({ currentStatus: 'awaiting_platform', stage: 'st3', items })).toBe(
      'referred_for_blocking',
    );
    expect(
      finalOrderStatus({
        currentStatus: 'under_review',
        stage: 'order',
        items: [{ status: 'withdrawn', onTime: null }],
      }),
    ).toBe('withdrawn');
  });
});

describe('countItems and openOrderStatus', () => {
  it('counts every status and the total', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ITEM_STATUSES), { maxLength: 200 }), (statuses) => {
        const counts = countItems(statuses);
        return (
          counts.total === statuses.length &&
          counts.pending + counts.resolved + counts.disputed + counts.withdrawn === counts.total
        );
      }),
    );
  });

  it('is under_review only when disputes alone remain', () => {
    expect(openOrderStatus(0, 2)).toBe('under_review');
    expect(openOrderStatus(1, 2)).toBe('awaiting_platform');
  });
});
