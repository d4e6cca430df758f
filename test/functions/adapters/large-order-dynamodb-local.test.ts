import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoIdempotencyStore } from '../../../functions/src/adapters/dynamodb-idempotency';
import { DynamoOpenLocatorIndex } from '../../../functions/src/adapters/dynamodb-open-locators';
import { DynamoOrderList } from '../../../functions/src/adapters/dynamodb-order-list';
import { DynamoOrderRepository } from '../../../functions/src/adapters/dynamodb-orders';
import { DynamoPlatformRepository } from '../../../functions/src/adapters/dynamodb-platforms';
import { getAudit, getOrder } from '../../../functions/src/use-cases/read-orders';
import { IDEMPOTENCY_LEASE_MS, submitOrder } from '../../../functions/src/use-cases/submit-order';
import { type TestWorld, testWorld } from '../fakes';
import { AGENCY, orderBody, registerMichat, runIntakes } from '../lifecycle-helpers';
import { type LocalTable, startLocalTable } from './local-table';

// A maximum-size order against DynamoDB Local: every item must be there exactly once, also after a crash midway.
// Timing is not asserted here (bench/api-load.bench.ts measures it).
let table: LocalTable;
const TABLE = 'tenggat-large-order-test';

class SimulatedCrash extends Error {
  constructor() {
    super('simulated crash while writing items');
    this.name = 'SimulatedCrash';
  }
}

function documentClient(crashAfterTransactions: number | null = null): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    endpoint: table.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  if (crashAfterTransactions !== null) {
    let transactions = 0;
    // The process "dies" at the n-th transaction: that one and every later one never reaches DynamoDB.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand') {
          transactions += 1;
          if (transactions > crashAfterTransactions) throw new SimulatedCrash();
        }
        return next(args);
      },
      { step: 'initialize', name: 'simulatedCrash' },
    );
  }
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

function worldOn(documents: DynamoDBDocumentClient, shared?: TestWorld): TestWorld {
  const world = testWorld();
  // The synchronous path (threshold raised to 10,000; above it the intake writes the items: intake-order.test.ts).
  world.deps.asyncIntakeItems = 10_000;
  if (shared) world.clock.set(shared.clock.now());
  world.deps.orders = new DynamoOrderRepository(documents, TABLE);
  world.deps.openLocators = new DynamoOpenLocatorIndex(documents, TABLE);
  world.deps.platforms = new DynamoPlatformRepository(documents, TABLE);
  world.deps.idempotency = new DynamoIdempotencyStore(documents, TABLE, 'IDEMPOTENCY', world.clock);
  world.deps.ids = { ...world.deps.ids, orderId: () => `order-${Math.random().toString(36).slice(2, 10)}` };
  return world;
}

async function storedItems(orderId: string) {
  return new DynamoOrderRepository(documentClient(), TABLE).allItems(orderId);
}

beforeAll(async () => {
  table = await startLocalTable(TABLE);
  await registerMichat(worldOn(documentClient()));
}, 120_000);

afterAll(async () => {
  await table?.stop();
});

describe('large orders on DynamoDB Local', () => {
  it('stores every item of a 10,000-item order once, with its locator, and one submission audit event', async () => {
    const world = worldOn(documentClient());
    const body = orderBody({}, 10_000);
    const { id: orderId } = await submitOrder(world.deps, {
      agencyId: AGENCY,
      idempotencyKey: 'max-size',
      request: body,
      order: body,
    });

    const items = await storedItems(orderId);
    expect(items).toHaveLength(10_000);
    expect(new Set(items.map((item) => item.itemId)).size).toBe(10_000);
    expect(new Set(items.map((item) => item.locator))).toEqual(
      new Set(body.items.map((item) => item.locator)),
    );
    expect(items.every((item) => item.status === 'pending')).toBe(true);

    const order = await getOrder(world.deps, { agencyId: AGENCY, orderId });
    expect(order).toMatchObject({ itemCounts: { total: 10_000, pending: 10_000 } });
    const audit = await getAudit(world.deps, { agencyId: AGENCY, orderId, limit: 50, cursor: null });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ action: 'order_submitted', details: { items: 10_000 } });
  }, 180_000);

  it('after a crash midway through the items, no order is visible and the retry completes it', async () => {
    // 2,500 items (25 transactions) keep the suite quick; the crash comes after the 11th.
    const crashing = worldOn(documentClient(11));
    crashing.deps.ids = { ...crashing.deps.ids, orderId: () => 'order-crashed-midway' };
    const body = orderBody({ reference: 'AIS/2026/11/crash' }, 2_500);
    const input = { agencyId: AGENCY, idempotencyKey: 'max-size-crash', request: body, order: body };
    await expect(submitOrder(crashing.deps, input)).rejects.toMatchObject({
      cause: expect.any(SimulatedCrash),
    });
    const listed = await new DynamoOrderList(documentClient(), TABLE).listOrders(
      {
        agencyIds: [AGENCY],
        status: null,
        stage: null,
        platformId: null,
        reference: null,
        locatorDigests: null,
      },
      { limit: 100, cursor: null },
    );
    expect(listed.items.filter((order) => order.reference === 'AIS/2026/11/crash')).toEqual([]);
    // Exactly the 11 transactions before the crash landed, and no writer went on after it.
    expect(await storedItems('order-crashed-midway')).toHaveLength(1_100);

    const survivor = worldOn(documentClient(), crashing);
    survivor.clock.advance(IDEMPOTENCY_LEASE_MS + 1_000);
    const { id: orderId } = await submitOrder(survivor.deps, input);
    expect(orderId).toBe('order-crashed-midway');
    const items = await storedItems(orderId);
    expect(items).toHaveLength(2_500);
    expect(items.map((item) => item.locator).sort()).toEqual(body.items.map((item) => item.locator).sort());
    expect(survivor.workflow.started).toEqual([orderId]);
  }, 180_000);

  it('accepts a large order in the background: the marker first (accepting), then the items, then notifying', async () => {
    const world = worldOn(documentClient());
    world.deps.asyncIntakeItems = 1_000;
    const body = orderBody({ reference: 'AIS/2026/11/async' }, 3_000);
    const accepted = await submitOrder(world.deps, {
      agencyId: AGENCY,
      idempotencyKey: 'async-intake',
      request: body,
      order: body,
    });
    expect(accepted).toMatchObject({ status: 'accepting', itemsAccepted: 0 });
    expect(await storedItems(accepted.id)).toHaveLength(0);
    const outcomes = await runIntakes(world);
    expect(outcomes).toEqual([{ state: 'complete', itemsAccepted: 3_000 }]);

    const items = await storedItems(accepted.id);
    expect(new Set(items.map((item) => item.itemId)).size).toBe(3_000);
    const order = await getOrder(world.deps, { agencyId: AGENCY, orderId: accepted.id });
    expect(order).toMatchObject({ status: 'notifying', itemsAccepted: 3_000, itemCounts: { total: 3_000 } });
    const notices = await new DynamoOrderRepository(documentClient(), TABLE).listNotices(accepted.id);
    expect(notices.map((notice) => notice.noticeId)).toEqual(['000001']);
    expect(world.workflow.started).toEqual([accepted.id]);
  }, 180_000);
});
