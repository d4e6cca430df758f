import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locatorKey, locatorKeyDigest } from '../../../functions/src/domain/locator';
import { getOrder } from '../../../functions/src/use-cases/read-orders';
import { withdrawOrder } from '../../../functions/src/use-cases/withdraw-order';
import { type TestWorld } from '../fakes';
import { AGENCY, answer, orderBody, registerMichat, runWorkflow, submit } from '../lifecycle-helpers';
import { type LocalTable, startLocalDocuments, worldOnDynamo } from './local-table';

// The open-locators index on DynamoDB Local: items enter it when written open and leave it in the same write
// that resolves or withdraws them, and submit reads it to report duplicates.
let table: LocalTable;
let documents: DynamoDBDocumentClient;
const TABLE = 'tenggat-open-locators-test';
const OTHER_AGENCY = 'bnpt';
const U = (n: number) => `https://michat.example/p/${n}`;
const urls = (...numbers: number[]) => numbers.map((n) => ({ kind: 'url' as const, locator: U(n) }));
const digest = (n: number) => locatorKeyDigest('michat', locatorKey('url', U(n)));

beforeAll(async () => {
  ({ table, documents } = await startLocalDocuments(TABLE));
}, 120_000);

afterAll(async () => {
  await table?.stop();
});

const openIn = async (world: TestWorld, ...numbers: number[]) =>
  (await world.deps.openLocators.openItemsByLocator(numbers.map(digest)))
    .map((entry) => `${entry.orderId}/${entry.itemId}`)
    .sort();

describe('the open-locators index on DynamoDB Local', () => {
  it('holds open items only, and submit reports duplicates from it', async () => {
    const world = worldOnDynamo(documents, TABLE, { openLocatorsInTable: true, plainOrderIds: true });
    const secrets = await registerMichat(world);
    const first = await submit(world, orderBody({ items: urls(1, 2, 3, 4) }), 'first');
    await runWorkflow(world, first.id);
    await answer(world, secrets.responseSecret, first.id, [
      { itemId: '000001', outcome: 'removed' },
      { itemId: '000002', outcome: 'rejected', reason: { code: 'legal_objection', explanation: 'Satire' } },
    ]);
    // Resolved leaves the index; disputed stays open.
    expect(await openIn(world, 1, 2, 3, 4)).toEqual(['order-1/000002', 'order-1/000003', 'order-1/000004']);
    // The index keys never show through the records the use cases read.
    const [stored] = await world.deps.orders.getItems(first.id, ['000003']);
    expect(stored).not.toHaveProperty('gsi3pk');
    expect(stored).toMatchObject({ locatorDigest: digest(3) });

    const theirs = await submit(world, orderBody({ items: urls(3) }), 'theirs', OTHER_AGENCY);
    expect(theirs.duplicates).toEqual([{ index: 0, sameAgency: false }]);

    const mine = await submit(world, orderBody({ items: urls(1, 2, 3, 3) }), 'mine');
    expect(mine.duplicates).toEqual([
      { index: 1, sameAgency: true, orderId: first.id, itemId: '000002' },
      { index: 2, sameAgency: true, orderId: first.id, itemId: '000003' },
      { index: 3, sameAgency: true, orderId: mine.id, itemId: '000003' },
    ]);
    const view = await getOrder(world.deps, { agencyId: AGENCY, orderId: mine.id });
    expect(view.duplicateCount).toBe(3);
    expect(view.items[1]?.duplicate).toEqual({ sameAgency: true, orderId: first.id, itemId: '000002' });

    // A withdrawal takes the order's items out of the index in the same transactions.
    await withdrawOrder(world.deps, { agencyId: AGENCY, orderId: first.id, reason: 'Lifted', officer: null });
    expect(await openIn(world, 2, 3, 4)).toEqual([
      'order-2/000001',
      'order-3/000002',
      'order-3/000003',
      'order-3/000004',
    ]);
    const after = await submit(world, orderBody({ items: urls(4) }), 'after');
    expect(after.duplicates).toEqual([]);
  }, 120_000);
});
