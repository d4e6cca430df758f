import { describe, expect, it } from 'vitest';
import {
  api,
  durationSeconds,
  fastPolicy,
  listEvents,
  orderBody,
  startRegisteredPlatform,
  submitOrder,
  waitFor,
  waitForExecutionEnd,
  waitForOrder,
} from './harness';

/** Timers, Lambda cold starts and a shared 2-core machine: a step may land this much after its deadline. */
const LATE_TOLERANCE_MS = 3_000;

describe('a platform that never answers (fast policy)', () => {
  it('gets ST1, ST2 with the fine accrued and ST3 at the policy times, each signed, and the order is referred', async () => {
    const { platformId, receiver } = await startRegisteredPlatform();
    try {
      const submitted = await submitOrder(orderBody({ platformId, category: 'gambling' }, 2));
      expect(submitted.status).toBe(201);
      const orderId = submitted.body.id;
      const standard = fastPolicy.deadlines.standard;

      const referred = await waitForOrder(orderId, (order) => order.status === 'referred_for_blocking', {
        timeoutMs: 60_000,
        what: 'referred_for_blocking',
      });
      // The referral notice goes out right after the order is final.
      await waitFor(
        () => receiver.received.some((webhook) => webhook.type === 'takedown.blocking_referral'),
        {
          what: 'the ST3 referral webhook',
        },
      );
      const warning = 'takedown.deadline_approaching';
      const types = receiver.received.map((webhook) => webhook.type);
      expect(types.filter((type) => type !== warning)).toEqual([
        'takedown.requested',
        'takedown.reminder',
        'takedown.fine_notice',
        'takedown.blocking_referral',
      ]);
      // Each deadline had its warnings before it (warnAt has two fractions); ST3 has no deadline, so none.
      const warned = receiver.received.filter((webhook) => webhook.type === warning);
      expect(warned.map((webhook) => (webhook.body.data.warning as { stage: string }).stage)).toEqual([
        'order',
        'order',
        'st1',
        'st1',
        'st2',
        'st2',
      ]);
      expect(receiver.received.every((webhook) => webhook.signatureValid)).toBe(true);
      expect(referred.stage).toBe('st3');
      expect(referred.stageHistory.map((entry) => entry.stage)).toEqual(['order', 'st1', 'st2', 'st3']);

      const notifiedAt = Date.parse(referred.notifiedAt ?? '');
      const arrival = (type: string) =>
        receiver.received.find((webhook) => webhook.type === type)?.receivedAt ?? Number.NaN;
      const expectAt = (type: string, dueMs: number) => {
        const at = arrival(type);
        expect(at, type).toBeGreaterThanOrEqual(dueMs - 500);
        expect(at, type).toBeLessThanOrEqual(dueMs + LATE_TOLERANCE_MS);
      };
      const st1Due = notifiedAt + durationSeconds(standard.order) * 1000;
      expectAt('takedown.reminder', st1Due);
      const st1At = Date.parse(referred.stageHistory[1]?.at ?? '');
      const st2Due = st1At + durationSeconds(standard.st1) * 1000;
      expectAt('takedown.fine_notice', st2Due);
      const st2At = Date.parse(referred.stageHistory[2]?.at ?? '');
      expectAt('takedown.blocking_referral', st2At + durationSeconds(standard.st2) * 1000);

      const fineNotice = receiver.received.find((webhook) => webhook.type === 'takedown.fine_notice');
      expect(fineNotice?.body.data.order).toMatchObject({
        fine: { perItemPerPeriod: fastPolicy.fine.perItemPerPeriod },
      });
      const noticeItems = (fineNotice?.body.data.items ?? []) as { fineAccrued?: number }[];
      expect(noticeItems.map((item) => item.fineAccrued)).toEqual([
        fastPolicy.fine.perItemPerPeriod,
        fastPolicy.fine.perItemPerPeriod,
      ]);
      // From ST2 to ST3 the fine accrued per pending item per accrual period.
      const periods = Math.floor(
        durationSeconds(standard.st2) / durationSeconds(fastPolicy.fine.accrualPeriod),
      );
      expect(referred.fine.accrued).toBeGreaterThanOrEqual(2 * periods * fastPolicy.fine.perItemPerPeriod);
      expect(referred.fine.accrued).toBeLessThanOrEqual(2 * fastPolicy.fine.capPerItem);

      const referral = await waitFor(
        async () => (await listEvents({ detailType: 'takedown.referred_for_blocking', orderId }))[0],
        { what: 'takedown.referred_for_blocking on the bus' },
      );
      expect(referral.detail.platformId).toBe(platformId);
      // Enforcement systems get one referral per order.
      expect(await waitForExecutionEnd(orderId)).toBe('SUCCEEDED');
      expect(await listEvents({ detailType: 'takedown.referred_for_blocking', orderId })).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('gives an urgent category the urgent deadline from the moment of delivery', async () => {
    const { platformId, receiver } = await startRegisteredPlatform();
    try {
      const submitted = await submitOrder(orderBody({ platformId, category: 'terrorism' }, 1));
      expect(submitted.body.urgency).toBe('urgent');
      const notified = await waitForOrder(submitted.body.id, (order) => order.deadlineAt !== null);
      expect(Date.parse(notified.deadlineAt ?? '') - Date.parse(notified.notifiedAt ?? '')).toBe(
        durationSeconds(fastPolicy.deadlines.urgent.order) * 1000,
      );
      // Nothing more to see here: end the order rather than escalate it beside the other tests.
      const withdrawal = await api('POST', `/v1/takedown-requests/${submitted.body.id}/withdrawal`, {
        as: 'komdigi-ais',
        body: { reason: 'Urgency check done.' },
      });
      expect(withdrawal.status).toBe(200);
    } finally {
      await receiver.close();
    }
  });
});
