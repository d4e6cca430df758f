import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { InvalidSignatureError } from '../../functions/src/domain/errors';
import type { WebhookRequest } from '../../functions/src/ports';
import { registerPlatform, rotateSecrets } from '../../functions/src/use-cases/operator';
import { recordPlatformResponses } from '../../functions/src/use-cases/record-platform-responses';
import { testWorld } from '../functions/fakes';
import {
  itemResults,
  registerMichat,
  runWorkflow,
  signedAnswer,
  submit,
} from '../functions/lifecycle-helpers';

const HOUR = 3_600_000;

/** The signature our receiver would compute with one secret, for the exact request we sent. */
function expectedSignature(secret: string, request: WebhookRequest): string {
  const id = request.headers['webhook-id'] ?? '';
  const seconds = Number(request.headers['webhook-timestamp']);
  return new Webhook(secret).sign(id, new Date(seconds * 1000), request.body);
}

async function rotatedWorld() {
  const world = testWorld();
  const original = await registerMichat(world);
  const order = await submit(world, undefined, 'rotation-key');
  const rotated = await rotateSecrets(world.deps, 'michat');
  return { world, original, rotated, order };
}

describe('platform secret rotation (24 h overlap, fake clock)', () => {
  it('accepts answers signed with the old or the new response secret during the overlap', async () => {
    const { world, original, rotated, order } = await rotatedWorld();
    world.clock.advance(24 * HOUR - 60_000);
    const firstItem = (await world.orders.allItems(order.id))[0];
    const secondItem = (await world.orders.allItems(order.id))[1];
    if (!firstItem || !secondItem) throw new Error('the order has no items');
    const withOld = signedAnswer(original.responseSecret, {
      takedownRequestId: order.id,
      items: [{ itemId: firstItem.itemId, outcome: 'removed' }],
    });
    const withNew = signedAnswer(rotated.responseSecret, {
      takedownRequestId: order.id,
      items: [{ itemId: secondItem.itemId, outcome: 'removed' }],
    });
    for (const signed of [withOld, withNew]) {
      const result = await recordPlatformResponses(world.deps, { platformId: 'michat', ...signed });
      expect(itemResults(result).map((entry) => entry.result)).toEqual(['applied']);
    }
    const items = await world.orders.allItems(order.id);
    expect(items.filter((item) => item.status === 'resolved')).toHaveLength(2);
  });

  it('refuses the old response secret once the overlap has ended, and keeps the new one', async () => {
    const { world, original, rotated, order } = await rotatedWorld();
    world.clock.advance(24 * HOUR + 1_000);
    const item = (await world.orders.allItems(order.id))[0];
    if (!item) throw new Error('the order has no items');
    const body = { takedownRequestId: order.id, items: [{ itemId: item.itemId, outcome: 'removed' }] };
    await expect(
      recordPlatformResponses(world.deps, {
        platformId: 'michat',
        ...signedAnswer(original.responseSecret, body),
      }),
    ).rejects.toBeInstanceOf(InvalidSignatureError);
    expect((await world.orders.allItems(order.id))[0]?.status).toBe('pending');
    const accepted = await recordPlatformResponses(world.deps, {
      platformId: 'michat',
      ...signedAnswer(rotated.responseSecret, body),
    });
    expect(itemResults(accepted).map((entry) => entry.result)).toEqual(['applied']);
    expect((await world.orders.allItems(order.id))[0]?.status).toBe('resolved');
  });

  it('signs outbound webhooks with both notification secrets during the overlap, then only the new one', async () => {
    const { world, original, rotated, order } = await rotatedWorld();
    // Within Standard Webhooks' 5-minute tolerance so real receivers can verify it.
    world.clock.advance(60_000);
    await runWorkflow(world, order.id);
    const during = world.endpoint.received[0];
    if (!during) throw new Error('nothing was delivered');
    expect(during.headers['webhook-signature']?.split(' ')).toEqual([
      expectedSignature(rotated.notificationSecret, during),
      expectedSignature(original.notificationSecret, during),
    ]);
    // A receiver that still holds only the old secret verifies it, and so does one with the new secret.
    expect(() => new Webhook(original.notificationSecret).verify(during.body, during.headers)).not.toThrow();
    expect(() => new Webhook(rotated.notificationSecret).verify(during.body, during.headers)).not.toThrow();

    // The order's deadline passes after the overlap ended: the ST1 reminder is signed with the new secret only.
    world.clock.advance(24 * HOUR);
    const escalated = await runWorkflow(world, order.id);
    expect(escalated.steps.slice(0, 2)).toEqual(['escalate', 'deliver:000002']);
    const after = world.endpoint.received[1];
    if (!after) throw new Error('nothing was delivered after the overlap');
    expect(after.headers['webhook-signature']?.split(' ')).toEqual([
      expectedSignature(rotated.notificationSecret, after),
    ]);
  });

  it('never signs a platform with another platform’s secret', async () => {
    const world = testWorld();
    const michat = await registerMichat(world);
    const other = await registerPlatform(world.deps, {
      id: 'other-platform',
      name: 'Other',
      webhookUrl: 'https://hooks.other.example/tenggat',
      contactEmail: 'legal@other.example',
    });
    expect(other.responseSecret).not.toBe(michat.responseSecret);
    const order = await submit(world, undefined, 'cross-platform');
    const item = (await world.orders.allItems(order.id))[0];
    if (!item) throw new Error('the order has no items');
    const body = { takedownRequestId: order.id, items: [{ itemId: item.itemId, outcome: 'removed' }] };
    // The other platform signs correctly with its own secret but posts on michat's route.
    await expect(
      recordPlatformResponses(world.deps, {
        platformId: 'michat',
        ...signedAnswer(other.responseSecret, body),
      }),
    ).rejects.toBeInstanceOf(InvalidSignatureError);
    expect((await world.orders.allItems(order.id))[0]?.status).toBe('pending');
  });
});
