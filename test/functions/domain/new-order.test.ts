import { describe, expect, it } from 'vitest';
import { newOrderRecords } from '../../../functions/src/domain/new-order';
import { DEFAULT_POLICY } from '../policy-fixture';

const submitted = {
  platformId: 'michat',
  category: 'gambling' as const,
  legalBasis: ['UU ITE'],
  reason: 'Gambling',
  reference: 'R-1',
  territorialScope: ['ID'],
  officer: 'Rina S.',
  items: [
    { kind: 'url' as const, locator: 'https://michat.example/p/1', note: 'first' },
    { kind: 'account' as const, locator: '@bandar' },
  ],
};
const identity = {
  orderId: 'o-1',
  agencyId: 'komdigi-ais',
  createdAt: '2026-11-27T00:00:00.000Z',
  policy: DEFAULT_POLICY,
  executionArn: 'arn:aws:states:ap-southeast-3:123456789012:execution:OrderWorkflow:o-1',
};

describe('newOrderRecords', () => {
  it('numbers the items by position, all pending, and opens the order notifying at the first stage', () => {
    const { order, items, audit, notice } = newOrderRecords(submitted, identity);
    expect(items.map((item) => [item.itemId, item.seq, item.status, item.note])).toEqual([
      ['000001', 1, 'pending', 'first'],
      ['000002', 2, 'pending', null],
    ]);
    expect(order).toMatchObject({
      status: 'notifying',
      stage: 'order',
      urgency: 'standard',
      urgent: false,
      deadlineAt: null,
      evidence: [],
      version: 1,
      auditSeq: 1,
      itemCounts: { total: 2, pending: 2 },
      policy: DEFAULT_POLICY,
      servedAt: null,
      notifiedAt: null,
      executionArn: identity.executionArn,
      noticeSeq: 1,
    });
    // The order itself is the first notice: its webhook is due now, its email at the end of the grace period.
    expect(notice).toMatchObject({
      noticeId: '000001',
      event: 'takedown.requested',
      webhook: { state: 'pending', attempts: 0, nextAttemptAt: identity.createdAt },
      email: { state: 'scheduled', dueAt: '2026-11-27T01:00:00.000Z' },
    });
    expect(audit).toMatchObject({
      action: 'order_submitted',
      actor: { kind: 'agency', id: 'komdigi-ais', officer: 'Rina S.' },
      details: { platformId: 'michat', items: 2, urgency: 'standard', reference: 'R-1' },
    });
  });

  it('lets the agency raise urgency but the category decides it otherwise', () => {
    expect(
      newOrderRecords({ ...submitted, urgent: true, urgencyReason: 'live' }, identity).order,
    ).toMatchObject({
      urgency: 'urgent',
      urgent: true,
      urgencyReason: 'live',
    });
    expect(newOrderRecords({ ...submitted, category: 'terrorism' }, identity).order.urgency).toBe('urgent');
  });

  it('builds the same records from the same submission (what a retry after a crash relies on)', () => {
    const first = newOrderRecords(submitted, identity);
    const again = newOrderRecords(structuredClone(submitted), identity);
    expect(again.order).toEqual(first.order);
    expect(again.items).toEqual(first.items);
  });
});
