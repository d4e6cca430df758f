import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoOrderRepository } from '../../../functions/src/adapters/dynamodb-orders';
import { DynamoPlatformOrderIndex } from '../../../functions/src/adapters/dynamodb-platform-orders';
import { DynamoPlatformRepository } from '../../../functions/src/adapters/dynamodb-platforms';
import { encodeCursor } from '../../../functions/src/cursor';
import { getPlatform, listPlatforms, registerPlatform } from '../../../functions/src/use-cases/operator';
import { listPlatformOrders } from '../../../functions/src/use-cases/platform-orders';
import { testWorld } from '../fakes';
import { orderBody, registerMichat, submit } from '../lifecycle-helpers';
import { type LocalTable, startLocalDocuments } from './local-table';

// The byPlatform index on DynamoDB Local: keys written by createOrder (submit and the async intake alike), queried
// newest first, and a cursor that cannot open another platform's partition.
let table: LocalTable;
let documents: DynamoDBDocumentClient;
const TABLE = 'tenggat-platform-orders-test';

beforeAll(async () => {
  ({ table, documents } = await startLocalDocuments(TABLE));
}, 120_000);

afterAll(async () => {
  await table?.stop();
});

describe('the byPlatform index on DynamoDB Local', () => {
  it('lists the orders of one platform newest first, small and large (async intake) orders alike', async () => {
    const world = testWorld();
    world.deps.orders = new DynamoOrderRepository(documents, TABLE, world.deps.chainSigner);
    world.deps.platforms = new DynamoPlatformRepository(documents, TABLE);
    world.deps.platformOrders = new DynamoPlatformOrderIndex(documents, TABLE);
    world.deps.asyncIntakeItems = 5;
    await registerMichat(world);
    await registerPlatform(world.deps, {
      id: 'other',
      name: 'Other',
      webhookUrl: 'https://hooks.other.example/t',
      contactEmail: 'legal@other.example',
    });
    const small = await submit(world, orderBody({}, 2), 'k-1');
    world.clock.advance(1_000);
    const large = await submit(world, orderBody({}, 12), 'k-2');
    world.clock.advance(1_000);
    const others = await submit(world, orderBody({ platformId: 'other' }, 2), 'k-3');
    const list = (cursor: string | null, limit = 10, platformId = 'michat') =>
      listPlatformOrders(world.deps, { platformId, status: null, limit, cursor });

    expect((await list(null)).items.map((order) => order.id)).toEqual([large.id, small.id]);
    const first = await list(null, 1);
    expect(first.items.map((order) => order.id)).toEqual([large.id]);
    expect((await list(first.nextCursor, 1)).items.map((order) => order.id)).toEqual([small.id]);
    expect((await list(null, 10, 'other')).items.map((order) => order.id)).toEqual([others.id]);

    // A cursor forged to point into the other platform's partition still reads michat's.
    const forged = encodeCursor({
      pk: `ORDER#${others.id}`,
      sk: 'ORDER',
      gsi4pk: 'PLATFORM#other',
      gsi4sk: '9999',
    });
    const page = await list(forged);
    expect(page.items.map((order) => order.id)).toEqual([large.id, small.id]);
  });
});

describe("a platform's delivery health on DynamoDB Local", () => {
  it('adds concurrent failures without losing one, clears them on a success, lists them', async () => {
    const world = testWorld();
    const platforms = new DynamoPlatformRepository(documents, TABLE);
    world.deps.platforms = platforms;
    await registerPlatform(world.deps, {
      id: 'health',
      name: 'Health',
      webhookUrl: 'https://hooks.health.example/t',
      contactEmail: 'legal@health.example',
    });
    const failure = (at: string) =>
      platforms.recordDelivery('health', {
        channel: 'webhook',
        at,
        delivered: false,
        httpStatus: 502,
        error: null,
      });
    await Promise.all(Array.from({ length: 5 }, (_, index) => failure(`2026-12-04T10:00:0${index}.000Z`)));
    await platforms.recordDelivery('health', {
      channel: 'email',
      at: '2026-12-04T11:00:00.000Z',
      orderId: 'o-1',
      sent: true,
      error: null,
    });
    const failing = (await listPlatforms(world.deps)).items.find((platform) => platform.id === 'health');
    expect(failing?.deliveryHealth).toMatchObject({
      state: 'failing',
      consecutiveWebhookFailures: 5,
      lastWebhookHttpStatus: 502,
      lastWebhookError: 'HTTP 502',
      lastEmail: { at: '2026-12-04T11:00:00.000Z', orderId: 'o-1', sent: true, error: null },
    });
    await platforms.recordDelivery('health', {
      channel: 'webhook',
      at: '2026-12-04T12:00:00.000Z',
      delivered: true,
      httpStatus: 200,
      error: null,
    });
    expect((await getPlatform(world.deps, 'health')).deliveryHealth).toMatchObject({
      state: 'ok',
      consecutiveWebhookFailures: 0,
      lastWebhookSuccessAt: '2026-12-04T12:00:00.000Z',
    });
    // A platform that does not exist gets no record from a delivery.
    await failure('2026-12-04T13:00:00.000Z');
    await platforms.recordDelivery('gone', {
      channel: 'webhook',
      at: '2026-12-04T13:00:00.000Z',
      delivered: true,
      httpStatus: 200,
      error: null,
    });
    expect(await platforms.get('gone')).toBeNull();
  });
});
