import { describe, expect, it } from 'vitest';
import { EMAIL_ATTEMPTS } from '../../../functions/src/domain/notices';
import { emailNotice, recordEmailEvent } from '../../../functions/src/use-cases/email-notice';
import { type InMemoryReports, testWorld } from '../fakes';
import { pdfText } from '../letters/poppler';
import { orderBody, registerMichat, runWorkflow, runWorkflowFor, submit } from '../lifecycle-helpers';

const HOUR = 3_600_000;

/** An order whose webhook fails every attempt, a moment before its email is due. */
async function unreachableOrder(itemCount = 2) {
  const world = testWorld();
  await registerMichat(world);
  world.endpoint.statuses.push(...Array.from({ length: 50 }, () => ({ status: 503 })));
  const order = await submit(world, orderBody({}, itemCount));
  await runWorkflowFor(world, order.id, HOUR - 1_000);
  return { world, orderId: order.id };
}

describe('emailNotice', () => {
  it('is not sent before the grace period, however the webhook fails', async () => {
    const { world, orderId } = await unreachableOrder();
    expect(await emailNotice(world.deps, { orderId, noticeId: '000001' })).toEqual({
      outcome: 'skipped',
      noticeId: '000001',
    });
    expect(world.mailer.sent).toHaveLength(0);
    expect((await world.orders.getOrder(orderId))?.servedAt).toBeNull();
  });

  it('serves the order when SES accepts it: deadline from then, bilingual text, the items attached', async () => {
    const { world, orderId } = await unreachableOrder();
    world.clock.advance(1_000);
    expect(await emailNotice(world.deps, { orderId, noticeId: '000001' })).toEqual({
      outcome: 'sent',
      noticeId: '000001',
    });
    const [email] = world.mailer.sent;
    expect(email?.to).toEqual(['legal@michat.example']);
    expect(email?.text).toContain('Anda diperintahkan');
    expect(email?.text).toContain('https://api.tenggat.test/prod/v1/platforms/michat/responses');
    expect(email?.attachments?.map((attachment) => attachment.filename)).toEqual([
      `tenggat-${orderId}-order.pdf`,
      'items.csv',
    ]);
    expect(email?.tags).toEqual({ orderId, noticeId: '000001' });
    // The order letter states the service this email makes, and is recorded for public verification.
    const letter = email?.attachments?.[0];
    expect(letter?.contentType).toBe('application/pdf');
    const text = pdfText(letter?.content ?? Buffer.alloc(0));
    expect(text).toContain('SURAT PERINTAH TAKEDOWN');
    expect(text.replace(/\s+/g, '')).toContain(orderId);
    const issued = [...(world.deps.reports as InMemoryReports).letters.values()];
    expect(issued).toEqual([expect.objectContaining({ orderId, stage: 'order' })]);
    const order = await world.orders.getOrder(orderId);
    expect(order).toMatchObject({
      servedVia: 'email',
      servedAt: world.clock.now().toISOString(),
      notifiedAt: null,
      deadlineAt: new Date(world.clock.now().getTime() + 24 * HOUR).toISOString(),
    });
    expect(world.orders.deliveries.at(-1)).toMatchObject({ channel: 'email', messageId: 'ses-1' });
    expect(world.published.map((event) => event.type)).toEqual(
      expect.arrayContaining(['platform.undeliverable', 'takedown.served']),
    );
    // Sent once: a repeated call (a retried task) sends nothing more.
    expect((await emailNotice(world.deps, { orderId, noticeId: '000001' })).outcome).toBe('skipped');
    expect(world.mailer.sent).toHaveLength(1);
  });

  it('tries a refused email again a minute later, up to its attempts, without serving the order', async () => {
    const { world, orderId } = await unreachableOrder();
    world.clock.advance(1_000);
    world.mailer.failNext = EMAIL_ATTEMPTS;
    for (let attempt = 1; attempt <= EMAIL_ATTEMPTS; attempt += 1) {
      expect((await emailNotice(world.deps, { orderId, noticeId: '000001' })).outcome).toBe('failed');
      world.clock.advance(attempt * 60_000);
    }
    const notice = await world.orders.getNotice(orderId, '000001');
    expect(notice?.email).toMatchObject({ state: 'failed', attempts: EMAIL_ATTEMPTS });
    expect(notice?.email.lastError).toMatch(/MessageRejected/);
    expect((await world.orders.getOrder(orderId))?.servedAt).toBeNull();
    const alerts = world.published.filter((event) => event.type === 'platform.undeliverable');
    expect(alerts.every((event) => event.detail.emailed === false)).toBe(true);
  });

  it('a later webhook 2xx after the email keeps service by email and only records the acknowledgement', async () => {
    const { world, orderId } = await unreachableOrder();
    world.clock.advance(1_000);
    await runWorkflow(world, orderId);
    const served = await world.orders.getOrder(orderId);
    world.endpoint.statuses = [];
    await runWorkflowFor(world, orderId, 11 * HOUR);
    const after = await world.orders.getOrder(orderId);
    expect(after).toMatchObject({
      servedVia: 'email',
      servedAt: served?.servedAt,
      deadlineAt: served?.deadlineAt,
    });
    expect(after?.notifiedAt).not.toBeNull();
  });

  it('records the SES delivery event on the notice whose message it names, and ignores any other', async () => {
    const { world, orderId } = await unreachableOrder();
    world.clock.advance(1_000);
    await emailNotice(world.deps, { orderId, noticeId: '000001' });
    const at = world.clock.now();
    await recordEmailEvent(world.deps, {
      orderId,
      noticeId: '000001',
      messageId: 'other',
      type: 'bounce',
      at,
    });
    await recordEmailEvent(world.deps, {
      orderId,
      noticeId: '000001',
      messageId: 'ses-1',
      type: 'delivery',
      at,
    });
    expect((await world.orders.getNotice(orderId, '000001'))?.email.deliveryEvent).toEqual({
      type: 'delivery',
      at: at.toISOString(),
    });
  });
});
