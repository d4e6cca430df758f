import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DynamoOrderRepository,
  ITEMS_PER_WRITE,
  ItemWriteError,
  itemWriteChunks,
  PARALLEL_ITEM_WRITES,
} from '../../../functions/src/adapters/dynamodb-orders';
import type { ItemRecord } from '../../../functions/src/domain/records';

const documents = mockClient(DynamoDBDocumentClient);
// Unit files share a module cache (isolate: false): put the clients' real send back for the next file.
afterAll(() => {
  documents.restore();
});
const repository = () =>
  new DynamoOrderRepository(
    DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    'orders',
  );

function itemRecords(count: number, locatorLength = 30): ItemRecord[] {
  return Array.from({ length: count }, (_, index) => ({
    orderId: 'order-1',
    itemId: String(index + 1).padStart(6, '0'),
    seq: index + 1,
    kind: 'url',
    locator: `https://michat.example/${String(index + 1).padEnd(locatorLength, 'x')}`,
    note: null,
    status: 'pending',
    outcome: null,
    reason: null,
    answeredAt: null,
    actedAt: null,
    onTime: null,
    answeredAtStage: null,
    deadlineAt: null,
    fineSettled: 0,
    fineAccruingSince: null,
    review: null,
  }));
}

type Put = { Put?: { TableName?: string; Item?: Record<string, unknown> } };
const putsOf = (call: { args: unknown[] }): Put[] =>
  ((call.args[0] as { input: { TransactItems?: Put[] } }).input.TransactItems ?? []) as Put[];

const throttled = () =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: 'ThrottlingError' }, { Code: 'None' }],
  });

beforeEach(() => documents.reset());

describe('itemWriteChunks', () => {
  it('keeps order and caps each chunk by count', () => {
    const chunks = itemWriteChunks([1, 2, 3, 4, 5, 6, 7], 3, 1_000);
    expect(chunks).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('starts a new chunk before the byte budget would be exceeded, never leaving one empty', () => {
    const big = 'x'.repeat(400);
    const chunks = itemWriteChunks([big, big, big, 'y'.repeat(2_000)], 100, 1_000);
    expect(chunks.map((chunk) => chunk.length)).toEqual([2, 1, 1]);
  });
});

/** The order the items belong to: keys their locator search entries. */
const OWNER = { agencyId: 'komdigi-ais', createdAt: '2026-12-01T00:00:00.000Z' };

describe('DynamoOrderRepository.putItems', () => {
  it('writes 10,000 items as transactions of at most 100 puts, each item exactly once, with keys', async () => {
    documents.on(TransactWriteCommand).resolves({});
    await repository().putItems(itemRecords(10_000), OWNER);
    const calls = documents.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(10_000 / ITEMS_PER_WRITE);
    const written = calls.flatMap(putsOf).map((put) => put.Put?.Item ?? {});
    expect(written).toHaveLength(10_000);
    expect(new Set(written.map((item) => item.sk)).size).toBe(10_000);
    expect(written[0]).toMatchObject({ pk: 'ORDER#order-1', sk: 'ITEM#000001', locator: expect.any(String) });
    expect(calls.flatMap(putsOf).every((put) => put.Put?.TableName === 'orders')).toBe(true);
  });

  it('keeps long locators within the 4 MB transaction limit by sending smaller chunks', async () => {
    documents.on(TransactWriteCommand).resolves({});
    await repository().putItems(itemRecords(300, 40_000), OWNER);
    const calls = documents.commandCalls(TransactWriteCommand);
    for (const call of calls) {
      expect(Buffer.byteLength(JSON.stringify(putsOf(call)))).toBeLessThan(4_000_000);
    }
    expect(calls.flatMap(putsOf)).toHaveLength(300);
  });

  it('has at most a few transactions in flight at once', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    documents.on(TransactWriteCommand).callsFake(async () => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return {};
    });
    await repository().putItems(itemRecords(2_000), OWNER);
    expect(mostInFlight).toBe(PARALLEL_ITEM_WRITES);
  });

  it('retries a throttled transaction until it lands', async () => {
    documents.on(TransactWriteCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({});
    await repository().putItems(itemRecords(50), OWNER);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it('gives up with ItemWriteError on a cancellation that a retry cannot fix, without retrying', async () => {
    const invalid = new TransactionCanceledException({
      message: 'Transaction cancelled',
      $metadata: {},
      CancellationReasons: [{ Code: 'ValidationError' }],
    });
    documents.on(TransactWriteCommand).rejects(invalid);
    const attempt = repository().putItems(itemRecords(10), OWNER);
    await expect(attempt).rejects.toBeInstanceOf(ItemWriteError);
    await expect(attempt).rejects.toMatchObject({ cause: invalid });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('sends nothing for an empty list', async () => {
    await repository().putItems([], OWNER);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('DynamoOrderRepository.putItems after a failed chunk', () => {
  it('stops sending further chunks once one has failed for good', async () => {
    const invalid = new TransactionCanceledException({
      message: 'Transaction cancelled',
      $metadata: {},
      CancellationReasons: [{ Code: 'ValidationError' }],
    });
    documents.on(TransactWriteCommand).rejects(invalid);
    await expect(repository().putItems(itemRecords(5_000), OWNER)).rejects.toBeInstanceOf(ItemWriteError);
    // The four writers each tried one chunk; none of the other 46 chunks was sent.
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(PARALLEL_ITEM_WRITES);
  });
});
