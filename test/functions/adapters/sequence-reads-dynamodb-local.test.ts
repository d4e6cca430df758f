import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allInSequence, allUnder, type SequenceKeys } from '../../../functions/src/adapters/dynamodb-reads';
import { itemIdFor } from '../../../functions/src/domain/new-order';
import { localDynamoDbClient } from '../../../local/cloud/dynamodb-local';
import { type LocalTable, startLocalTable } from './local-table';

// Reading a large order's items in ranges at once must return exactly what one query after another returns.
let table: LocalTable;
let documents: DynamoDBDocumentClient;
const TABLE = 'tenggat-sequence-reads-test';
/** ~100 KB a record: DynamoDB pages at 1 MB, so 10 or so records a page and a few dozen make several pages. */
const PADDING = 'x'.repeat(100_000);
const KEYS: SequenceKeys = { prefix: 'ITEM#', idOf: itemIdFor, usualMaxSeq: 40, ranges: 4 };

async function writeOrder(orderId: string, seqs: number[]): Promise<void> {
  for (let start = 0; start < seqs.length; start += 25) {
    const puts = seqs.slice(start, start + 25).map((seq) => ({
      PutRequest: { Item: { pk: `ORDER#${orderId}`, sk: `ITEM#${itemIdFor(seq)}`, seq, padding: PADDING } },
    }));
    await documents.send(new BatchWriteCommand({ RequestItems: { [TABLE]: puts } }));
  }
  // Records of the same order under other prefixes must not be read as items.
  await documents.send(
    new BatchWriteCommand({
      RequestItems: {
        [TABLE]: [
          { PutRequest: { Item: { pk: `ORDER#${orderId}`, sk: 'ORDER', seq: -1 } } },
          { PutRequest: { Item: { pk: `ORDER#${orderId}`, sk: 'NOTICE#000001', seq: -2 } } },
        ],
      },
    }),
  );
}

const seqsOf = (records: Record<string, unknown>[]) => records.map((record) => record.seq);
const range = (from: number, through: number) =>
  Array.from({ length: through - from + 1 }, (_, index) => from + index);

beforeAll(async () => {
  table = await startLocalTable(TABLE);
  documents = DynamoDBDocumentClient.from(localDynamoDbClient(table.endpoint));
});

afterAll(async () => {
  await table?.stop();
});

describe('reading an order’s items in ranges at once', () => {
  it('returns every item once and in order, those past the usual maximum included', async () => {
    const seqs = range(1, 55);
    await writeOrder('past-the-maximum', seqs);
    const read = await allInSequence(documents, TABLE, 'past-the-maximum', KEYS);
    expect(seqsOf(read)).toEqual(seqs);
    expect(seqsOf(await allUnder(documents, TABLE, 'past-the-maximum', 'ITEM#'))).toEqual(seqs);
  });

  it('returns an order with gaps in its ids as one query after another does', async () => {
    const seqs = [...range(1, 12), ...range(20, 23), 31, ...range(38, 47), 9_999];
    await writeOrder('with-gaps', seqs);
    expect(seqsOf(await allInSequence(documents, TABLE, 'with-gaps', KEYS))).toEqual(seqs);
  });

  it('reads an order of one page, and one near the usual maximum, whole', async () => {
    await writeOrder('one-page', [1, 2, 3]);
    expect(seqsOf(await allInSequence(documents, TABLE, 'one-page', KEYS))).toEqual([1, 2, 3]);
    // Past the first page too few ids are left before the usual maximum to split: read as one range, still whole.
    const near = { ...KEYS, usualMaxSeq: 12 };
    await writeOrder('near-the-maximum', range(1, 30));
    expect(seqsOf(await allInSequence(documents, TABLE, 'near-the-maximum', near))).toEqual(range(1, 30));
  });
});
