import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ListOrdersInput, listOrders } from '../../../functions/src/use-cases/read-orders';
import { withdrawOrder } from '../../../functions/src/use-cases/withdraw-order';
import { type TestWorld } from '../fakes';
import { AGENCY, orderBody, registerMichat, submit } from '../lifecycle-helpers';
import { type LocalTable, startLocalDocuments, worldOnDynamo } from './local-table';

// The order list's search and merge (reference records, locator keys, every agency newest first) on DynamoDB Local.
let table: LocalTable;
let documents: DynamoDBDocumentClient;
const TABLE = 'tenggat-order-search-test';
const POLRI = 'polri-siber';

beforeAll(async () => {
  ({ table, documents } = await startLocalDocuments(TABLE));
}, 120_000);

afterAll(async () => {
  await table?.stop();
});

const base = { status: null, platformId: null, limit: 25, cursor: null };
const ids = (page: { items: { id: string }[] }) => page.items.map((order) => order.id);

/** Every page of a listing, following nextCursor; how many pages it took. */
async function allPages(world: TestWorld, input: ListOrdersInput) {
  const found: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await listOrders(world.deps, { ...input, cursor });
    found.push(...ids(page));
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== null && pages < 50);
  return { found, pages };
}

describe('order search on DynamoDB Local', () => {
  it('finds orders by exact reference within the agency, and across agencies for an operator', async () => {
    const world = worldOnDynamo(documents, TABLE, { platformsInTable: false });
    await registerMichat(world);
    const tag = Math.random().toString(36).slice(2, 8);
    const ours = await submit(world, orderBody({ reference: `REF-${tag}` }), `k1-${tag}`);
    world.clock.advance(1_000);
    const theirs = await submit(world, orderBody({ reference: `REF-${tag}` }), `k2-${tag}`, POLRI);
    await submit(world, orderBody({ reference: `REF-${tag}-other` }), `k3-${tag}`);
    const own = await listOrders(world.deps, { ...base, agencyIds: [AGENCY], reference: `REF-${tag}` });
    expect(ids(own)).toEqual([ours.id]);
    expect(own.nextCursor).toBeNull();
    const operator = await listOrders(world.deps, {
      ...base,
      agencyIds: [AGENCY, POLRI, 'bpom'],
      reference: `REF-${tag}`,
    });
    expect(ids(operator)).toEqual([theirs.id, ours.id]);
    expect(operator.items[0]).toMatchObject({
      agencyId: POLRI,
      reference: `REF-${tag}`,
      fine: { accrued: 0 },
    });
  });

  it('finds orders by an item’s locator as submit normalizes it, whatever kind the search assumes', async () => {
    const world = worldOnDynamo(documents, TABLE, { platformsInTable: false });
    await registerMichat(world);
    const tag = Math.random().toString(36).slice(2, 8);
    const order = await submit(
      world,
      orderBody({
        items: [
          { kind: 'url', locator: `https://MiChat.example/p/${tag}?b=2&a=1#comments` },
          { kind: 'account', locator: `@Recruiter_${tag}` },
        ],
      }),
      `loc-${tag}`,
    );
    const search = (locator: string, agencyIds = [AGENCY]) =>
      listOrders(world.deps, { ...base, agencyIds, locator });
    expect(ids(await search(`https://michat.example/p/${tag}?a=1&b=2`))).toEqual([order.id]);
    expect(ids(await search(`recruiter_${tag}`))).toEqual([order.id]);
    expect(ids(await search(`https://michat.example/p/${tag}-other`))).toEqual([]);
    // Another agency does not find it.
    expect(ids(await search(`recruiter_${tag}`, [POLRI]))).toEqual([]);
  });

  it('pages every agency’s orders newest first for an operator, each exactly once', async () => {
    const world = worldOnDynamo(documents, TABLE, { platformsInTable: false });
    await registerMichat(world);
    const tag = Math.random().toString(36).slice(2, 8);
    const agencies = [`a-${tag}`, `b-${tag}`, `c-${tag}`];
    const submitted: string[] = [];
    for (let index = 0; index < 7; index += 1) {
      world.clock.advance(1_000);
      const agency = agencies[index % 3] ?? AGENCY;
      submitted.push((await submit(world, orderBody({}, 1), `page-${tag}-${index}`, agency)).id);
    }
    const { found, pages } = await allPages(world, { ...base, agencyIds: agencies, limit: 2 });
    expect(found).toEqual([...submitted].reverse());
    expect(pages).toBe(4);
  });

  it('filters by status and stage in bounded pages that still reach every match', async () => {
    const world = worldOnDynamo(documents, TABLE, { platformsInTable: false });
    await registerMichat(world);
    const tag = Math.random().toString(36).slice(2, 8);
    const agency = `w-${tag}`;
    const submitted: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      world.clock.advance(1_000);
      submitted.push((await submit(world, orderBody({}, 1), `w-${tag}-${index}`, agency)).id);
    }
    const withdrawnId = submitted[1] ?? '';
    await withdrawOrder(world.deps, {
      agencyId: agency,
      orderId: withdrawnId,
      reason: 'Lifted',
      officer: null,
    });
    const first = await listOrders(world.deps, {
      ...base,
      agencyIds: [agency],
      status: 'withdrawn',
      limit: 2,
    });
    // The two newest are not withdrawn: the page is empty, and says there is more.
    expect(ids(first)).toEqual([]);
    expect(first.nextCursor).not.toBeNull();
    const all = await allPages(world, { ...base, agencyIds: [agency], status: 'withdrawn', limit: 2 });
    expect(all.found).toEqual([withdrawnId]);
    const atOrder = await allPages(world, { ...base, agencyIds: [agency], stage: 'order', limit: 2 });
    expect(atOrder.found).toEqual([...submitted].reverse());
    expect((await allPages(world, { ...base, agencyIds: [agency], stage: 'st3' })).found).toEqual([]);
  });

  it('writes the reference record and the items’ locator keys with the order, in the byAgency index', async () => {
    const world = worldOnDynamo(documents, TABLE, { platformsInTable: false });
    await registerMichat(world);
    const tag = Math.random().toString(36).slice(2, 8);
    const order = await submit(world, orderBody({ reference: `KEYS-${tag}` }, 2), `keys-${tag}`);
    const reference = await documents.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `REFERENCE#${AGENCY}#KEYS-${tag}` },
      }),
    );
    expect(reference.Items?.map((record) => record.orderId)).toEqual([order.id]);
    const stored = await listOrders(world.deps, {
      ...base,
      agencyIds: [AGENCY],
      locator: 'https://michat.example/p/2',
      limit: 100,
    });
    expect(ids(stored)).toContain(order.id);
  });

  it('no longer finds an order by a locator once the item’s locator is erased', async () => {
    const world = worldOnDynamo(documents, TABLE, { platformsInTable: false });
    await registerMichat(world);
    const tag = Math.random().toString(36).slice(2, 8);
    const locator = `https://michat.example/erased/${tag}`;
    const order = await submit(world, orderBody({ items: [{ kind: 'url', locator }] }), `erase-${tag}`);
    const search = () => listOrders(world.deps, { ...base, agencyIds: [AGENCY], locator });
    expect(ids(await search())).toEqual([order.id]);
    const stored = await world.deps.orders.getOrder(order.id);
    const [item] = (await world.deps.orders.listItems(order.id, { limit: 1, cursor: null })).items;
    if (stored === null || item === undefined) throw new Error('order not stored');
    // The erasure's item step: locator and note set to null in a version-guarded change without an audit event.
    await world.deps.orders.commit({
      orderId: order.id,
      expectedVersion: stored.version,
      auditSeq: stored.auditSeq,
      set: {},
      items: [{ itemId: item.itemId, expectedStatus: item.status, set: { locator: null, note: null } }],
      audit: null,
    });
    expect(ids(await search())).toEqual([]);
  });
});
