import { describe, expect, it } from 'vitest';
import { deliverWebhook } from '../../../functions/src/use-cases/deliver-webhook';
import { emailNotice } from '../../../functions/src/use-cases/email-notice';
import { getPlatform, listPlatforms } from '../../../functions/src/use-cases/operator';
import { testWorld } from '../fakes';
import { orderBody, registerMichat, runWorkflowFor, submit } from '../lifecycle-helpers';

const HOUR = 3_600_000;

async function michatWorld() {
  const world = testWorld();
  await registerMichat(world);
  return world;
}

describe("a platform's delivery health", () => {
  it('is unknown before any delivery', async () => {
    const world = await michatWorld();
    expect((await getPlatform(world.deps, 'michat')).deliveryHealth).toEqual({
      state: 'unknown',
      lastWebhookSuccessAt: null,
      lastWebhookFailureAt: null,
      lastWebhookHttpStatus: null,
      lastWebhookError: null,
      consecutiveWebhookFailures: 0,
      lastEmail: null,
    });
  });

  it('counts failed webhook attempts with the last status, and a success ends the run', async () => {
    const world = await michatWorld();
    world.endpoint.statuses.push({ status: 503 }, { status: null });
    const order = await submit(world, orderBody({}, 2));
    const first = world.clock.now().toISOString();
    expect((await deliverWebhook(world.deps, { orderId: order.id, noticeId: '000001' })).outcome).toBe(
      'failed',
    );
    expect((await getPlatform(world.deps, 'michat')).deliveryHealth).toMatchObject({
      state: 'failing',
      lastWebhookFailureAt: first,
      lastWebhookHttpStatus: 503,
      lastWebhookError: 'HTTP 503',
      consecutiveWebhookFailures: 1,
    });
    world.clock.advance(60_000);
    await deliverWebhook(world.deps, { orderId: order.id, noticeId: '000001' });
    const [listed] = (await listPlatforms(world.deps)).items;
    expect(listed?.deliveryHealth).toMatchObject({
      state: 'failing',
      lastWebhookHttpStatus: null,
      lastWebhookError: 'connection refused',
      consecutiveWebhookFailures: 2,
      lastWebhookSuccessAt: null,
    });
    world.clock.advance(60_000);
    expect((await deliverWebhook(world.deps, { orderId: order.id, noticeId: '000001' })).outcome).toBe(
      'delivered',
    );
    expect((await getPlatform(world.deps, 'michat')).deliveryHealth).toMatchObject({
      state: 'ok',
      lastWebhookSuccessAt: world.clock.now().toISOString(),
      consecutiveWebhookFailures: 0,
      // The last failure stays visible after the recovery.
      lastWebhookError: 'connection refused',
    });
  });

  it('keeps the 410 that disabled the endpoint as its last error, and counts no call it did not make', async () => {
    const world = await michatWorld();
    world.endpoint.statuses.push({ status: 410 });
    const order = await submit(world, orderBody({}, 2));
    await deliverWebhook(world.deps, { orderId: order.id, noticeId: '000001' });
    expect((await getPlatform(world.deps, 'michat')).status).toBe('disabled');
    const calls = world.endpoint.received.length;
    const first = orderBody({ reference: 'AIS/2026/11/0043' }, 2);
    const items = first.items.map((item) => ({ ...item, locator: `${item.locator}-second` }));
    const second = await submit(world, { ...first, items }, 'key-2');
    world.clock.advance(60_000);
    expect((await deliverWebhook(world.deps, { orderId: second.id, noticeId: '000001' })).outcome).toBe(
      'failed',
    );
    expect(world.endpoint.received).toHaveLength(calls);
    expect((await getPlatform(world.deps, 'michat')).deliveryHealth).toMatchObject({
      state: 'failing',
      lastWebhookHttpStatus: 410,
      lastWebhookError: 'HTTP 410',
      consecutiveWebhookFailures: 1,
    });
  });

  it('tells that the last order fell back to email, and whether the email went', async () => {
    const world = await michatWorld();
    world.endpoint.statuses.push(...Array.from({ length: 50 }, () => ({ status: 500 })));
    const order = await submit(world, orderBody({}, 2));
    await runWorkflowFor(world, order.id, HOUR + 1_000);
    const health = (await getPlatform(world.deps, 'michat')).deliveryHealth;
    expect(health.state).toBe('failing');
    expect(health.consecutiveWebhookFailures).toBeGreaterThan(1);
    expect(health.lastEmail).toEqual({
      at: expect.any(String),
      orderId: order.id,
      sent: true,
      error: null,
    });
    expect(world.mailer.sent).toHaveLength(1);
  });

  it('records an email that SES refused, with its error', async () => {
    const world = await michatWorld();
    world.endpoint.statuses.push(...Array.from({ length: 50 }, () => ({ status: 500 })));
    world.mailer.failNext = 1;
    const order = await submit(world, orderBody({}, 2));
    await runWorkflowFor(world, order.id, HOUR - 1_000);
    world.clock.advance(2_000);
    expect((await emailNotice(world.deps, { orderId: order.id, noticeId: '000001' })).outcome).toBe('failed');
    expect((await getPlatform(world.deps, 'michat')).deliveryHealth.lastEmail).toEqual({
      at: world.clock.now().toISOString(),
      orderId: order.id,
      sent: false,
      error: 'MessageRejected: Email address is not verified.',
    });
  });

  it('is a 404 for a platform that does not exist', async () => {
    const world = await michatWorld();
    await expect(getPlatform(world.deps, 'nope')).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});
