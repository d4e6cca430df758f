import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  api,
  cloud,
  durationSeconds,
  fastPolicy,
  getOrder,
  listEmails,
  listEvents,
  OPERATOR,
  orderBody,
  registerPlatform,
  startRegisteredPlatform,
  submitOrder,
  waitFor,
  waitForExecutionEnd,
  waitForOrder,
} from './harness';

const grace = durationSeconds(fastPolicy.serviceGracePeriod.standard);

/** A loopback URL nothing listens on: every webhook to it is refused at connect. */
async function refusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/webhook`;
}

describe('a platform whose webhook endpoint refuses connections', () => {
  it('is served by email at the grace period and walks the ladder to ST3, every notice in the outbox', async () => {
    const platform = await registerPlatform(await refusingUrl());
    const submitted = await submitOrder(orderBody({ platformId: platform.id }));
    const orderId = submitted.body.id;
    const served = await waitForOrder(orderId, (order) => order.servedAt !== null, {
      timeoutMs: 20_000,
      what: 'served by email',
    });
    expect(served.servedVia).toBe('email');
    expect(served.notifiedAt).toBeNull();
    const sinceSubmit = (Date.parse(served.servedAt ?? '') - Date.parse(served.createdAt)) / 1000;
    expect(sinceSubmit).toBeGreaterThanOrEqual(grace - 0.5);
    expect(sinceSubmit).toBeLessThan(grace + 4);
    // The deadline runs from service by email, as from a webhook 2xx.
    expect(Date.parse(served.deadlineAt ?? '') - Date.parse(served.servedAt ?? '')).toBe(
      durationSeconds(fastPolicy.deadlines.standard.order) * 1000,
    );
    expect(served.webhookHealth.state).toBe('failing');

    const final = await waitForOrder(orderId, (order) => order.status === 'referred_for_blocking', {
      timeoutMs: 60_000,
      what: 'ST3 referral',
    });
    expect(final.stageHistory.map((entry) => entry.stage)).toEqual(['order', 'st1', 'st2', 'st3']);
    await waitForExecutionEnd(orderId);
    const emails = (await listEmails({ to: 'e2e@example.com' })).filter((email) =>
      email.text.includes(orderId),
    );
    const subjects = emails.map((email) => email.subject);
    for (const letter of ['Takedown order', 'ST1', 'ST2', 'ST3']) {
      expect(
        subjects.some((subject) => subject.includes(letter)),
        letter,
      ).toBe(true);
    }
    const first = emails[0];
    expect(first?.text).toContain('Anda diperintahkan');
    // Each stage's email carries its formal letter, then the items.
    expect(first?.attachments.map((attachment) => attachment.filename)).toEqual([
      `tenggat-${orderId}-order.pdf`,
      'items.csv',
    ]);
    for (const [subject, stage] of [
      ['ST1', 'st1'],
      ['ST2', 'st2'],
      ['ST3', 'st3'],
    ] as const) {
      const email = emails.find((candidate) => candidate.subject.includes(subject));
      expect(email?.attachments[0], stage).toMatchObject({
        filename: `tenggat-${orderId}-${stage}.pdf`,
        contentType: 'application/pdf',
      });
    }
    const pdf = await fetch(`${cloud().awsEndpoint}/_local/emails/${first?.messageId}/attachments/0`);
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    expect(final.deliveries.some((delivery) => delivery.channel === 'email')).toBe(true);
    const alerts = await listEvents({ detailType: 'platform.undeliverable', orderId });
    expect(alerts.length).toBeGreaterThanOrEqual(4);
  });
});

describe('a platform answering 503 with Retry-After: 31536000', () => {
  it('is served by email within the grace period, and keeps its webhook retries on the schedule', async () => {
    const { platformId, receiver } = await startRegisteredPlatform();
    receiver.respondWith = 503;
    receiver.respondHeaders = { 'retry-after': '31536000' };
    try {
      const orderId = (await submitOrder(orderBody({ platformId }))).body.id;
      const served = await waitForOrder(orderId, (order) => order.servedAt !== null, {
        timeoutMs: 20_000,
        what: 'served despite Retry-After',
      });
      expect(served.servedVia).toBe('email');
      expect(Date.parse(served.servedAt ?? '') - Date.parse(served.createdAt)).toBeLessThan(
        (grace + 4) * 1000,
      );
      // Retry-After is capped at the schedule's longest delay: every scheduled attempt is made within seconds,
      // and the webhook gives up only when the schedule is spent.
      const scheduled = fastPolicy.deliveryRetrySchedule.length;
      const attempts = await waitFor(
        async () => {
          const order = await getOrder(orderId);
          const webhook = order.deliveries.filter(
            (d) => d.channel === 'webhook' && d.event === 'takedown.requested',
          );
          return webhook.length >= scheduled ? webhook : undefined;
        },
        { what: `all ${scheduled} scheduled webhook attempts` },
      );
      expect(attempts).toHaveLength(scheduled);
      expect(attempts.every((attempt) => attempt.httpStatus === 503)).toBe(true);

      // The endpoint recovers; the operator redelivers (no scheduled attempt is left to race it): the webhook
      // succeeds, the deadline does not move.
      receiver.respondWith = 200;
      receiver.respondHeaders = {};
      const redelivery = await api('POST', `/v1/takedown-requests/${orderId}/redelivery`, { as: OPERATOR });
      expect(redelivery.status).toBe(202);
      const acknowledged = await waitForOrder(orderId, (order) => order.notifiedAt !== null, {
        what: 'webhook acknowledged after redelivery',
      });
      expect(acknowledged.deadlineAt).toBe(served.deadlineAt);
      expect(acknowledged.servedVia).toBe('email');
      expect(receiver.received.at(-1)?.signatureValid).toBe(true);
    } finally {
      await receiver.close();
    }
  });
});

describe('an order served by email only', () => {
  it('can be withdrawn, and the platform is told of the withdrawal by email', async () => {
    const platform = await registerPlatform(await refusingUrl());
    const orderId = (await submitOrder(orderBody({ platformId: platform.id }))).body.id;
    await waitForOrder(orderId, (order) => order.servedVia === 'email', {
      timeoutMs: 20_000,
      what: 'email service',
    });
    const withdrawn = await api<{ status: string }>('POST', `/v1/takedown-requests/${orderId}/withdrawal`, {
      as: 'komdigi-ais',
      body: { reason: 'Filed against the wrong platform.' },
    });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe('withdrawn');
    await waitFor(
      async () =>
        (await listEmails({ to: 'e2e@example.com' })).find(
          (email) => email.text.includes(orderId) && email.subject.includes('Order withdrawn'),
        ),
      { timeoutMs: 20_000, what: 'the withdrawal email' },
    );
  });
});
