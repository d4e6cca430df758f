import { describe, expect, it } from 'vitest';
import {
  AGENCY,
  api,
  durationSeconds,
  fastPolicy,
  getAudit,
  getOrder,
  type OrderView,
  orderBody,
  startRegisteredPlatform,
  submitOrder,
  waitFor,
  waitForOrder,
} from './harness';

const deadline = durationSeconds(fastPolicy.deadlines.standard.order);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a clarification request (TCO Art. 3(8))', () => {
  it('pauses the clock longer than the deadline; after the answer, ST1 comes one full period later', async () => {
    const { platformId, receiver } = await startRegisteredPlatform();
    try {
      const orderId = (await submitOrder(orderBody({ platformId }))).body.id;
      await waitForOrder(orderId, (order) => order.servedVia === 'webhook', { what: 'service by webhook' });

      const asked = await receiver.sendSigned<{ takedownRequestId: string; clarification: { seq: number } }>({
        takedownRequestId: orderId,
        clarificationRequest: {
          question: 'Item 2 is a news report about gambling, not an advert. Still remove?',
        },
      });
      expect(asked.status, JSON.stringify(asked.body)).toBe(200);
      expect(asked.body).toMatchObject({ takedownRequestId: orderId, clarification: { seq: 1 } });
      const paused = await getOrder(orderId);
      expect(paused.clockPausedSince).not.toBeNull();
      expect(paused.deadlineAt).toBeNull();
      expect(paused.clarification).toMatchObject({ seq: 1, answer: null });

      // A second question while one is open is refused: one open clarification at a time.
      const again = await receiver.sendSigned({
        takedownRequestId: orderId,
        clarificationRequest: { question: 'And item 1?' },
      });
      expect(again.status).toBe(409);

      // Longer than the order's whole deadline: nothing escalates while the clock is paused.
      await sleep((deadline + 3) * 1000);
      const stillPaused = await getOrder(orderId);
      expect(stillPaused.stage).toBe('order');
      expect(receiver.received.map((webhook) => webhook.type)).not.toContain('takedown.reminder');

      const answered = await api<OrderView>('POST', `/v1/takedown-requests/${orderId}/clarifications`, {
        as: AGENCY,
        body: { answer: 'Yes: the report embeds the operator’s referral link.', officer: 'Rina S.' },
      });
      expect(answered.status, JSON.stringify(answered.body)).toBe(200);
      const clarified = await waitFor(
        () => receiver.received.find((webhook) => webhook.type === 'takedown.clarified'),
        { what: 'takedown.clarified at the platform' },
      );
      expect(clarified.signatureValid).toBe(true);
      expect(clarified.body.data).toMatchObject({
        clarification: { seq: 1, answer: expect.stringContaining('referral link') },
      });

      const resumed = await waitForOrder(orderId, (order) => order.clarifications.length === 1, {
        what: 'the answer received',
      });
      const receivedAt = Date.parse(resumed.clarifications[0]?.receivedAt ?? '');
      expect(resumed.clockPausedSince).toBeNull();
      expect(Date.parse(resumed.deadlineAt ?? '') - receivedAt).toBe(deadline * 1000);

      const st1 = await waitForOrder(orderId, (order) => order.stage === 'st1', {
        timeoutMs: 30_000,
        what: 'ST1 after the answer',
      });
      const st1At = Date.parse(st1.stageHistory.find((entry) => entry.stage === 'st1')?.at ?? '');
      expect(st1At - receivedAt).toBeGreaterThanOrEqual(deadline * 1000);
      expect(st1At - receivedAt).toBeLessThan((deadline + 3) * 1000);

      // No clarification is open any more: the agency's answer is refused.
      const late = await api('POST', `/v1/takedown-requests/${orderId}/clarifications`, {
        as: AGENCY,
        body: { answer: 'again' },
      });
      expect(late.status).toBe(409);
      const actions = (await getAudit(orderId)).map((entry) => entry.action);
      expect(actions).toEqual(
        expect.arrayContaining([
          'clarification_requested',
          'clarification_answered',
          'clarification_received',
        ]),
      );
    } finally {
      await receiver.close();
    }
  });

  it('is refused on a body that carries both items and a clarification request', async () => {
    const { platformId, receiver } = await startRegisteredPlatform();
    try {
      const orderId = (await submitOrder(orderBody({ platformId }))).body.id;
      await waitForOrder(orderId, (order) => order.servedAt !== null, { what: 'service' });
      const both = await receiver.sendSigned({
        takedownRequestId: orderId,
        items: [{ itemId: '000001', outcome: 'removed' }],
        clarificationRequest: { question: 'Which?' },
      });
      expect(both.status).toBe(422);
      expect((await getOrder(orderId)).clockPausedSince).toBeNull();
    } finally {
      await receiver.close();
    }
  });
});
