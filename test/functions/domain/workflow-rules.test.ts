import { describe, expect, it } from 'vitest';
import {
  announcedBeforeFinalize,
  earliestOpenDeadline,
  escalateOrder,
  finalizeOrder,
  orderProgress,
} from '../../../functions/src/domain/workflow-rules';
import { at, HOUR, notifiedOrder, T0 } from './records-fixture';

describe('orderProgress', () => {
  it('names the earliest open deadline, an upheld item keeping its later one, and records nothing new', () => {
    const { order, items } = notifiedOrder(2);
    const [first, second] = items;
    if (!first || !second) throw new Error('no items');
    const later = [{ ...first, deadlineAt: at(30 * HOUR).toISOString() }, second];
    expect(earliestOpenDeadline(order, later)).toEqual(at(24 * HOUR));
    const { progress, set } = orderProgress(order, later, at(HOUR));
    expect(progress).toEqual({
      pending: 2,
      disputed: 0,
      earliestDeadline: at(24 * HOUR),
      reviewReminder: false,
      reviewReminderDue: null,
    });
    expect(set).toEqual({});
  });

  it('recounts the items once they are answered', () => {
    const { order, items } = notifiedOrder(1);
    const resolved = items.map((item) => ({ ...item, status: 'resolved' as const }));
    const done = orderProgress(order, resolved, at(HOUR));
    expect(done.progress).toMatchObject({ pending: 0, disputed: 0, earliestDeadline: null });
    expect(done.set).toEqual({
      itemCounts: { total: 1, pending: 0, resolved: 1, disputed: 0, withdrawn: 0 },
    });
  });

  it('with only disputes left, moves to review and reminds the agency once per review period', () => {
    const disputedSince = at(HOUR).toISOString();
    const { order, items } = notifiedOrder(1, { disputedSince });
    const disputed = items.map((item) => ({ ...item, status: 'disputed' as const }));
    const early = orderProgress(order, disputed, at(2 * HOUR));
    expect(early.progress).toMatchObject({ reviewReminder: false, reviewReminderDue: at(25 * HOUR) });
    expect(early.set).toMatchObject({ status: 'under_review' });
    const due = orderProgress(order, disputed, at(25 * HOUR));
    expect(due.progress).toMatchObject({ reviewReminder: true, reviewReminderDue: at(49 * HOUR) });
    expect(due.set.lastReviewReminderAt).toBe(at(25 * HOUR).toISOString());
    const reminded = { ...order, lastReviewReminderAt: at(25 * HOUR).toISOString() };
    expect(orderProgress(reminded, disputed, at(30 * HOUR)).progress.reviewReminder).toBe(false);
  });

  it('keeps an order that is not yet served notifying, and a final one as it is', () => {
    const { order, items } = notifiedOrder(1, { status: 'notifying', servedAt: null, deadlineAt: null });
    expect(orderProgress(order, items, T0).set).toEqual({});
    const disputed = items.map((item) => ({ ...item, status: 'disputed' as const }));
    const final = { ...order, status: 'withdrawn' as const };
    expect(orderProgress(final, disputed, at(99 * HOUR))).toMatchObject({
      progress: { reviewReminder: false, reviewReminderDue: null },
      set: { itemCounts: { disputed: 1, pending: 0 } },
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

  it('never escalates an order not yet served or whose clock is paused for a clarification', () => {
    const { order, items } = notifiedOrder(1);
    const late = at(99 * HOUR);
    expect(escalateOrder({ ...order, servedAt: null }, items, late).set).toBeNull();
    const paused = { ...order, clockPausedSince: at(HOUR).toISOString(), deadlineAt: null };
    expect(escalateOrder(paused, items, late).set).toBeNull();
    expect(escalateOrder(order, items, late).set).toMatchObject({ stage: 'st1' });
  });
});

describe('finalizeOrder', () => {
  it('tells a served platform of a withdrawal, and keeps the status of an order finalized before', () => {
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
    // Served by email only: the platform was told of the order, so it hears of the withdrawal too.
    const byEmail = { ...order, notifiedAt: null, servedVia: 'email' as const };
    expect(finalizeOrder(byEmail, items, at(2 * HOUR)).notify).toBe('takedown.withdrawn');
    expect(finalizeOrder({ ...order, servedAt: null }, items, at(2 * HOUR)).notify).toBeNull();
    const done = { ...order, status: 'complied' as const, finalizedAt: at(3 * HOUR).toISOString() };
    expect(finalizeOrder(done, items, at(4 * HOUR)).status).toBe('complied');
  });

  it('sums the fines of the items, which stop growing once the order is final', () => {
    const { order, items } = notifiedOrder(2, { stage: 'st2', st2At: T0.toISOString() });
    const fine = order.policy.fine.perItemPerPeriod;
    expect(finalizeOrder(order, items, at(HOUR)).fineAccrued).toBe(2 * fine);
    const final = { ...order, finalizedAt: at(HOUR).toISOString() };
    expect(finalizeOrder(final, items, at(100 * HOUR)).fineAccrued).toBe(2 * fine);
    expect(announcedBeforeFinalize('referred_for_blocking', order)).toBe(true);
    expect(announcedBeforeFinalize('complied', order)).toBe(false);
    // Withdrawn by the agency: its withdrawal was announced; every item withdrawn through review: it was not.
    const withdrawal = { reason: 'r', at: T0.toISOString(), by: { kind: 'agency' as const, id: 'a' } };
    expect(announcedBeforeFinalize('withdrawn', { withdrawal })).toBe(true);
    expect(announcedBeforeFinalize('withdrawn', { withdrawal: null })).toBe(false);
  });
});
