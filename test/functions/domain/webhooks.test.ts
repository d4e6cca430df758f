import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalHash, canonicalJson } from '../../../functions/src/domain/canonical-json';
import type { NoticeRecord } from '../../../functions/src/domain/notices';
import { openItemsFor, splitIntoParts, webhookPayload } from '../../../functions/src/domain/webhooks';
import { at, HOUR, notifiedOrder, T0 } from './records-fixture';

describe('splitIntoParts', () => {
  it('splits 2,500 open items into parts of 1,000, 1,000 and 500', () => {
    const parts = splitIntoParts(Array.from({ length: 2_500 }, (_, index) => index));
    expect(parts.map((part) => part.length)).toEqual([1_000, 1_000, 500]);
  });

  it('keeps every item exactly once, in order, in parts no larger than the limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 300 }),
        fc.integer({ min: 1, max: 50 }),
        (items, size) => {
          const parts = splitIntoParts(items, size);
          return (
            parts.every((part) => part.length <= size) &&
            JSON.stringify(parts.flat()) === JSON.stringify(items)
          );
        },
      ),
    );
  });
});

describe('canonicalJson', () => {
  it('ignores key order at every depth but not array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(canonicalHash({ a: 1, b: 2 })).toBe(canonicalHash({ b: 2, a: 1 }));
    expect(canonicalHash({ a: [1, 2] })).not.toBe(canonicalHash({ a: [2, 1] }));
  });

  it('equals JSON.parse round trips of itself', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        (value) => canonicalJson(JSON.parse(canonicalJson(value))) === canonicalJson(value),
      ),
    );
  });
});

describe('webhook bodies', () => {
  const { order, items } = notifiedOrder(2, { stage: 'st2', st2At: T0.toISOString() });
  const closed = items.map((item) =>
    item.itemId === '000002' ? { ...item, status: 'resolved' as const } : item,
  );

  it('carries the pending items, with their fines on the fine notice and none on a withdrawal', () => {
    expect(openItemsFor(order, closed, 'takedown.reminder', at(HOUR))).toEqual([
      { id: '000001', kind: 'url', locator: 'u1' },
    ]);
    expect(openItemsFor(order, closed, 'takedown.fine_notice', at(HOUR))).toEqual([
      {
        id: '000001',
        kind: 'url',
        locator: 'u1',
        fineAccrued: order.policy.fine.perItemPerPeriod,
        fineFormula: '1 period(s) of P1D × 5000000 IDR = 5000000 IDR',
      },
    ]);
    expect(openItemsFor(order, closed, 'takedown.withdrawn', at(HOUR))).toEqual([]);
  });

  const part = { items: [], part: 1, parts: 1, totalOpenItems: 0 };
  const notice = (
    event: NoticeRecord['event'],
    detail: Record<string, unknown> = {},
    stage: NoticeRecord['stage'] = 'st2',
  ): Pick<NoticeRecord, 'event' | 'noticeId' | 'detail' | 'stage'> => ({
    event,
    noticeId: '000004',
    detail,
    stage,
  });

  it('names no deadline before receipt but how long after it, and the fine terms on the fine notice', () => {
    const requested = webhookPayload(
      { ...order, stage: 'order' },
      notice('takedown.requested'),
      part,
      at(HOUR),
    );
    expect(requested).toMatchObject({ type: 'takedown.requested', timestamp: at(HOUR).toISOString() });
    expect(requested.data.notice).toEqual({ id: '000004' });
    expect(requested.data.order.deadlineAt).toBeNull();
    expect(requested.data.order.deadlineAfterReceiptSeconds).toBe(24 * 3600);
    const fine = webhookPayload(order, notice('takedown.fine_notice'), part, at(HOUR));
    expect(fine.data.order).toMatchObject({ deadlineAt: order.deadlineAt, fine: { currency: 'IDR' } });
  });

  it('carries the clarification answer, whose receipt restarts the stage, and the review decision', () => {
    const clarified = webhookPayload(
      { ...order, stage: 'st1' },
      notice('takedown.clarified', { question: 'Which posts?', answer: 'The three listed.' }),
      part,
      at(HOUR),
    );
    expect(clarified.data).toMatchObject({
      clarification: { question: 'Which posts?', answer: 'The three listed.' },
      order: { deadlineAt: null, deadlineAfterReceiptSeconds: 24 * 3600, stage: 'st1' },
    });
    const decided = webhookPayload(
      order,
      notice('takedown.review_decided', { decision: 'uphold' }),
      part,
      at(HOUR),
    );
    expect(decided.data).toMatchObject({ review: { decision: 'uphold' } });
    expect(decided.data).not.toHaveProperty('clarification');
  });
});
