import { describe, expect, it } from 'vitest';
import {
  announcedBeforeFinalize,
  earliestOpenDeadline,
  escalateOrder,
  evaluateOrder,
  finalizeOrder,
} from '../../../functions/src/domain/workflow-rules';
import { at, HOUR, notifiedOrder, T0 } from './records-fixture';

describe('evaluateOrder', () => {
  it('waits until the earliest open deadline, an upheld item keeping its later one', () => {
    const { order, items } = notifiedOrder(2);
    const [first, second] = items;
    if (!first || !second) throw new Error('no items');
    const later = [{ ...first, deadlineAt: at(30 * HOUR).toISOString() }, second];
    expect(earliestOpenDeadline(order, later)).toEqual(at(24 * HOUR));
    const { evaluation, set } = evaluateOrder(order, later, at(HOUR));
    expect(evaluation).toEqual({
      status: 'awaiting_platform',
      stage: 'order',
      done: false,
      pending: 2,
      disputed: 0,
      deadlinePassed: false,
      waitSeconds: 23 * 3600,
      reviewReminder: false,
    });
    expect(set).toEqual({});
  });

  it('reports a passed deadline, and is done once nothing is open or at the last stage', () => {
    const { order, items } = notifiedOrder(1);
    expect(evaluateOrder(order, items, at(24 * HOUR)).evaluation.deadlinePassed).toBe(true);
    const resolved = items.map((item) => ({ ...item, status: 'resolved' as const }));
    const done = evaluateOrder(order, resolved, at(HOUR));
    expect(done.evaluation).toMatchObject({ done: true, deadlinePassed: false });
    expect(done.set).toEqual({
      itemCounts: { total: 1, pending: 0, resolved: 1, disputed: 0, withdrawn: 0 },
    });
    expect(evaluateOrder({ ...order, stage: 'st3' }, items, at(99 * HOUR)).evaluation.done).toBe(true);
  });

  it('with only disputes left, moves to review and reminds the agency once per review period', () => {
    const disputedSince = at(HOUR).toISOString();
    const { order, items } = notifiedOrder(1, { disputedSince });
    const disputed = items.map((item) => ({ ...item, status: 'disputed' as const }));
    const early = evaluateOrder(order, disputed, at(2 * HOUR));
    expect(early.evaluation).toMatchObject({
      status: 'under_review',
      reviewReminder: false,
      waitSeconds: 23 * 3600,
    });
    expect(early.set).toMatchObject({ status: 'under_review' });
    const due = evaluateOrder(order, disputed, at(25 * HOUR));
    expect(due.evaluation).toMatchObject({ reviewReminder: true, waitSeconds: 24 * 3600 });
    expect(due.set.lastReviewReminderAt).toBe(at(25 * HOUR).toISOString());
  });

  it('keeps an order that is not yet delivered notifying, looking again after a review period', () => {
    const { order, items } = notifiedOrder(1, { status: 'notifying', notifiedAt: null, deadlineAt: null });
    expect(evaluateOrder(order, items, T0).evaluation).toMatchObject({
      status: 'notifying',
      deadlinePassed: false,
      waitSeconds: 24 * 3600,
    });
  });
});

describe('escalateOrder', () => {
  it('moves to the next stage with its deadline once a pending deadline passed', () => {
    const { order, items } = notifiedOrder(2);
    const now = at(24 * HOUR);
    const st1 = escalateOrder(order, items, now);
    expect(st1.escalation).toEqual({ stage: 'st1', event: 'takedown.reminder', final: false });
    expect(st1.set).toEqual({
      stage: 'st1',
      deadlineAt: at(48 * HOUR).toISOString(),
      stageHistory: [
        ...order.stageHistory,
        { stage: 'st1', at: now.toISOString(), deadlineAt: at(48 * HOUR).toISOString() },
      ],
    });
    expect(st1.pending).toBe(2);
    const st2 = escalateOrder(
      { ...order, stage: 'st1', deadlineAt: at(48 * HOUR).toISOString() },
      items,
      at(48 * HOUR),
    );
    expect(st2.set).toMatchObject({ stage: 'st2', st2At: at(48 * HOUR).toISOString() });
    const st3 = escalateOrder(
      { ...order, stage: 'st2', deadlineAt: at(96 * HOUR).toISOString() },
      items,
      at(96 * HOUR),
    );
    expect(st3.escalation).toEqual({ stage: 'st3', event: 'takedown.blocking_referral', final: true });
    expect(st3.set?.deadlineAt).toBeNull();
  });

  it('re-announces the current stage and changes nothing when nothing is due', () => {
    const { order, items } = notifiedOrder(1, { stage: 'st1', deadlineAt: at(48 * HOUR).toISOString() });
    const repeated = escalateOrder(order, items, at(30 * HOUR));
    expect(repeated).toMatchObject({
      escalation: { stage: 'st1', event: 'takedown.reminder', final: false },
      set: null,
    });
    expect(escalateOrder({ ...order, stage: 'order' }, items, at(HOUR)).escalation.event).toBeNull();
  });
});

describe('finalizeOrder', () => {
  it('tells a notified platform of a withdrawal, and keeps the status of an order finalized before', () => {
    const withdrawal = {
      reason: 'lifted',
      at: at(HOUR).toISOString(),
      by: { kind: 'agency' as const, id: 'a' },
    };
    const { order, items } = notifiedOrder(1, { status: 'withdrawn', withdrawal });
    expect(finalizeOrder(order, items, at(2 * HOUR))).toMatchObject({
      status: 'withdrawn',
      notify: 'takedown.withdrawn',
    });
    expect(finalizeOrder({ ...order, notifiedAt: null }, items, at(2 * HOUR)).notify).toBeNull();
    const done = { ...order, status: 'complied' as const, finalizedAt: at(3 * HOUR).toISOString() };
    expect(finalizeOrder(done, items, at(4 * HOUR)).status).toBe('complied');
  });

  it('sums the fines of the items, which stop growing once the order is final', () => {
    const { order, items } = notifiedOrder(2, { stage: 'st2', st2At: T0.toISOString() });
    const fine = order.policy.fine.perItemPerPeriod;
    expect(finalizeOrder(order, items, at(HOUR)).fineAccrued).toBe(2 * fine);
    const final = { ...order, finalizedAt: at(HOUR).toISOString() };
    expect(finalizeOrder(final, items, at(100 * HOUR)).fineAccrued).toBe(2 * fine);
    expect(announcedBeforeFinalize('referred_for_blocking')).toBe(true);
    expect(announcedBeforeFinalize('complied')).toBe(false);
  });
});
