import { describe, expect, it } from 'vitest';
import { answerDeadline, applyAnswers, latestAnswers } from '../../../functions/src/domain/answers';
import { at, byId, HOUR, notifiedOrder, T0 } from './records-fixture';

describe('applyAnswers', () => {
  it('applies answers to open items and reports unknown ones, counting outcomes', () => {
    const { order, items } = notifiedOrder(3);
    const result = applyAnswers(
      order,
      byId(items),
      [
        { itemId: '000001', outcome: 'removed', actedAt: T0.toISOString() },
        { itemId: '000002', outcome: 'rejected', reason: { code: 'legal_objection', explanation: 'Satire' } },
        { itemId: '999999', outcome: 'removed' },
      ],
      at(HOUR),
    );
    expect(Object.fromEntries(result.results)).toEqual({
      '000001': 'applied',
      '000002': 'applied',
      '999999': 'not_found',
    });
    expect(result.updates.map((update) => [update.itemId, update.expectedStatus, update.set.status])).toEqual(
      [
        ['000001', 'pending', 'resolved'],
        ['000002', 'pending', 'disputed'],
      ],
    );
    expect(result.updates[0]?.set).toMatchObject({
      onTime: true,
      answeredAtStage: 'order',
      actedAt: T0.toISOString(),
    });
    expect(result.outcomes).toEqual({ removed: 1, rejected: 1 });
    expect(result.orderSet).toEqual({
      itemCounts: { total: 3, pending: 1, resolved: 1, disputed: 1, withdrawn: 0 },
      disputedSince: at(HOUR).toISOString(),
    });
  });

  it('changes nothing on a final order or a closed item', () => {
    const { order, items } = notifiedOrder(2);
    const resolved = items.map((item) =>
      item.itemId === '000001' ? { ...item, status: 'resolved' as const } : item,
    );
    const answers = [
      { itemId: '000001', outcome: 'removed' as const },
      { itemId: '000002', outcome: 'removed' as const },
    ];
    expect([...applyAnswers(order, byId(resolved), answers, at(HOUR)).results.values()]).toEqual([
      'already_final',
      'applied',
    ]);
    const final = applyAnswers({ ...order, status: 'withdrawn' }, byId(items), answers, at(HOUR));
    expect(final.updates).toEqual([]);
    expect([...final.results.values()]).toEqual(['already_final', 'already_final']);
  });

  it('ends the wait (clears the token) once nothing is pending, only then', () => {
    const { order, items } = notifiedOrder(2, { taskToken: 'token' });
    const one = applyAnswers(order, byId(items), [{ itemId: '000001', outcome: 'removed' }], at(HOUR));
    expect(one.orderSet).not.toHaveProperty('taskToken');
    const all = applyAnswers(
      order,
      byId(items),
      [
        { itemId: '000001', outcome: 'removed' },
        { itemId: '000002', outcome: 'rejected', reason: { code: 'manifest_error', explanation: 'gone' } },
      ],
      at(HOUR),
    );
    expect(all.orderSet).toMatchObject({ taskToken: null });
  });

  it('judges timeliness by the first deadline, and settles the fine a late item accrued since ST2', () => {
    const st2At = at(48 * HOUR).toISOString();
    const { order, items } = notifiedOrder(1, {
      stage: 'st2',
      st2At,
      deadlineAt: at(96 * HOUR).toISOString(),
      stageHistory: [
        { stage: 'order', at: T0.toISOString(), deadlineAt: at(24 * HOUR).toISOString() },
        { stage: 'st2', at: st2At, deadlineAt: at(96 * HOUR).toISOString() },
      ],
    });
    const result = applyAnswers(
      order,
      byId(items),
      [{ itemId: '000001', outcome: 'removed' }],
      at(60 * HOUR),
    );
    // Later stage deadlines do not make a late removal timely; one started day at ST2 costs one period.
    expect(result.updates[0]?.set).toMatchObject({
      onTime: false,
      answeredAtStage: 'st2',
      fineSettled: order.policy.fine.perItemPerPeriod,
      fineAccruingSince: null,
    });
  });
});

describe('answerDeadline and latestAnswers', () => {
  it("prefers an upheld item's own deadline over the order's first one", () => {
    const { order, items } = notifiedOrder(1);
    const item = items[0];
    if (!item) throw new Error('no item');
    expect(answerDeadline(order, item)).toEqual(at(24 * HOUR));
    expect(answerDeadline(order, { ...item, deadlineAt: at(30 * HOUR).toISOString() })).toEqual(
      at(30 * HOUR),
    );
  });

  it('keeps the last answer per item, in the order items were first named', () => {
    const latest = latestAnswers([
      { itemId: 'b', outcome: 'removed' },
      { itemId: 'a', outcome: 'removed' },
      { itemId: 'b', outcome: 'restricted' },
    ]);
    expect([...latest.keys()]).toEqual(['b', 'a']);
    expect(latest.get('b')?.outcome).toBe('restricted');
  });
});
