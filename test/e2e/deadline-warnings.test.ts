import { describe, expect, it } from 'vitest';
import {
  api,
  durationSeconds,
  fastPolicy,
  getAudit,
  orderBody,
  type ReceivedWebhook,
  startRegisteredPlatform,
  submitOrder,
  waitFor,
  waitForOrder,
} from './harness';

const WARNING = 'takedown.deadline_approaching';

interface Warning {
  takedownRequestId: string;
  stage: string;
  deadline: string;
  timeLeft: string;
  timeLeftSeconds: number;
  openItems: number;
  fraction: number;
}

const warningOf = (webhook: ReceivedWebhook) => webhook.body.data.warning as Warning;
const forOrder = (received: ReceivedWebhook[], orderId: string) =>
  received.filter((webhook) => webhook.body.data.order.id === orderId);

describe('pre-deadline warnings (fast policy: standard deadline 6 s, warnAt [0.4, 0.6])', () => {
  it('warns a silent platform twice before the deadline, and an order answered in full not at all', async () => {
    const { platformId, receiver } = await startRegisteredPlatform();
    try {
      const [silent, answered] = await Promise.all([
        submitOrder(orderBody({ platformId, reference: 'E2E/WARN/silent' }, 2)),
        submitOrder(orderBody({ platformId, reference: 'E2E/WARN/answered' }, 2)),
      ]);
      expect([silent.status, answered.status]).toEqual([201, 201]);
      const silentId = silent.body.id;
      const answeredId = answered.body.id;

      // The second order is answered, every item, as soon as it arrives.
      const requested = await waitFor(
        () =>
          forOrder(receiver.received, answeredId).find((webhook) => webhook.type === 'takedown.requested'),
        { what: 'takedown.requested of the answered order' },
      );
      const answer = await receiver.answer(
        answeredId,
        requested.body.data.items.map((item) => ({ itemId: item.id, outcome: 'removed' })),
      );
      expect(answer.status).toBe(200);

      const served = await waitForOrder(silentId, (order) => order.deadlineAt !== null);
      const deadlineMs = Date.parse(served.deadlineAt ?? '');
      const spanMs = durationSeconds(fastPolicy.deadlines.standard.order) * 1000;
      await waitFor(() => forOrder(receiver.received, silentId).some((w) => w.type === 'takedown.reminder'), {
        timeoutMs: 20_000,
        what: 'the ST1 reminder',
      });
      const types = forOrder(receiver.received, silentId).map((webhook) => webhook.type);
      expect(types.slice(0, 4)).toEqual(['takedown.requested', WARNING, WARNING, 'takedown.reminder']);

      const warnings = forOrder(receiver.received, silentId).filter((webhook) => webhook.type === WARNING);
      const [half, late] = warnings;
      expect(warnings.every((webhook) => webhook.signatureValid)).toBe(true);
      expect(new Set(warnings.map((webhook) => webhook.webhookId)).size).toBe(warnings.length);
      for (const [webhook, fraction] of [
        [half, fastPolicy.warnAt[0]],
        [late, fastPolicy.warnAt[1]],
      ] as const) {
        const warning = warningOf(webhook as ReceivedWebhook);
        const dueMs = deadlineMs - spanMs + spanMs * (fraction ?? 0);
        // Never early, and before the deadline: Await waits in whole seconds, so up to about a second late.
        expect(webhook?.receivedAt, `${fraction}`).toBeGreaterThanOrEqual(dueMs - 500);
        expect(webhook?.receivedAt, `${fraction}`).toBeLessThan(deadlineMs);
        expect(warning).toMatchObject({
          takedownRequestId: silentId,
          stage: 'order',
          deadline: served.deadlineAt,
          openItems: 2,
          fraction,
        });
        // The time left as of sending: what is left of the deadline when the platform receives it, give or take.
        const leftMs = deadlineMs - (webhook?.receivedAt ?? 0);
        expect(warning.timeLeftSeconds).toBeLessThanOrEqual(Math.ceil(leftMs / 1000) + 1);
        expect(warning.timeLeftSeconds).toBeGreaterThanOrEqual(Math.floor(leftMs / 1000) - 1);
        expect(warning.timeLeft).toBe(`PT${warning.timeLeftSeconds}S`);
      }
      expect(half?.receivedAt).toBeLessThan(late?.receivedAt ?? 0);
      expect(warningOf(half as ReceivedWebhook).timeLeftSeconds).toBeGreaterThanOrEqual(
        warningOf(late as ReceivedWebhook).timeLeftSeconds,
      );
      const audit = await getAudit(silentId);
      expect(audit.filter((entry) => entry.action === 'deadline_warning')).toHaveLength(2);

      // The answered order: complied, and no warning ever went out for it.
      const complied = await waitForOrder(answeredId, (order) => order.status === 'complied');
      const answeredDeadline = Date.parse(complied.deadlineAt ?? '');
      expect(complied.deadlineAt).not.toBeNull();
      // Past its deadline, with time for a warning to have arrived had one been owed.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, answeredDeadline + 500 - Date.now())));
      expect(forOrder(receiver.received, answeredId).map((webhook) => webhook.type)).toEqual([
        'takedown.requested',
      ]);

      const withdrawal = await api('POST', `/v1/takedown-requests/${silentId}/withdrawal`, {
        as: 'komdigi-ais',
        body: { reason: 'End of the warnings test.' },
      });
      expect(withdrawal.status).toBe(200);
    } finally {
      await receiver.close();
    }
  });
});
