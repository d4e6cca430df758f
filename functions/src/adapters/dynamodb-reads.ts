import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { encodeCursor } from '../cursor';
import type { Page, PageRequest } from '../ports';
import { orderPk, strip } from './dynamodb-order-keys';

/** One page of a query, however many DynamoDB pages it takes to fill it; the cursor is opaque to the caller. */
export async function queryPage<T>(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
  page: PageRequest,
  toCursor: (key: Record<string, unknown>) => Record<string, string>,
  fromCursor: (cursor: string) => Record<string, unknown>,
): Promise<Page<T>> {
  const items: T[] = [];
  let startKey = page.cursor === null ? undefined : fromCursor(page.cursor);
  let lastKey: Record<string, unknown> | undefined;
  do {
    const result = await client.send(
      new QueryCommand({ ...input, Limit: page.limit - items.length, ExclusiveStartKey: startKey }),
    );
    for (const item of result.Items ?? []) items.push(strip<T>(item));
    lastKey = result.LastEvaluatedKey;
    startKey = lastKey;
  } while (lastKey !== undefined && items.length < page.limit);
  return { items, nextCursor: lastKey === undefined ? null : encodeCursor(toCursor(lastKey)) };
}

/** Every record of one order whose sort key starts with `prefix`, read consistently across all pages. */
export async function allUnder(
  client: DynamoDBDocumentClient,
  tableName: string,
  orderId: string,
  prefix: string,
): Promise<Record<string, unknown>[]> {
  return rangeUnder(client, tableName, orderId, { prefix });
}

/** How a sequence of records is laid out: sort keys `prefix` + `idOf(seq)`, seq counting from 1. */
export interface SequenceKeys {
  prefix: string;
  idOf: (seq: number) => string;
  /** The usual highest seq: the ranges split up to it; records past it are still read (by the last range). */
  usualMaxSeq: number;
  /** Ranges read at once past the first page. */
  ranges: number;
}

/**
 * Every record of a sequence (an order's items), as `allUnder` reads them and in the same order, but past the first
 * page in `ranges` sort-key ranges at once: a 10,000-item order is ~7 pages of 1 MB, which DynamoDB Local reads in
 * 3.4–3.8 s one after another and in 1.2–1.8 s so, with 8 ranges (docs/benchmarks.md). An order of one page costs
 * one query, as before.
 */
export async function allInSequence(
  client: DynamoDBDocumentClient,
  tableName: string,
  orderId: string,
  keys: SequenceKeys,
): Promise<Record<string, unknown>[]> {
  const first = await queryUnder(client, tableName, orderId, { prefix: keys.prefix });
  const lastKey = first.lastKey;
  if (lastKey === undefined) return first.records;
  const lastSeq = Number(String(lastKey.sk).slice(keys.prefix.length));
  const span = keys.usualMaxSeq - lastSeq;
  if (!Number.isInteger(lastSeq) || span < keys.ranges * 2) {
    return [
      ...first.records,
      ...(await rangeUnder(client, tableName, orderId, { prefix: keys.prefix }, lastKey)),
    ];
  }
  // Range k holds seqs (bound(k), bound(k + 1)]; the first starts after the last key read, the last is open-ended.
  const bound = (k: number) => lastSeq + Math.floor((span * k) / keys.ranges);
  const sk = (seq: number) => `${keys.prefix}${keys.idOf(seq)}`;
  const ranges = Array.from({ length: keys.ranges }, (_, k) => {
    const from = k === 0 ? keys.prefix : sk(bound(k) + 1);
    const through = k === keys.ranges - 1 ? `${keys.prefix}\uffff` : sk(bound(k + 1));
    return rangeUnder(client, tableName, orderId, { from, through }, k === 0 ? lastKey : undefined);
  });
  return [first.records, ...(await Promise.all(ranges))].flat();
}

type Key = Record<string, unknown>;
/** The sort keys of one order's records a query reads: a prefix, or `from` through `through`. */
type SortKeyRange = { prefix: string } | { from: string; through: string };

async function queryUnder(
  client: DynamoDBDocumentClient,
  tableName: string,
  orderId: string,
  range: SortKeyRange,
  startKey?: Key,
): Promise<{ records: Key[]; lastKey: Key | undefined }> {
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      ...('prefix' in range
        ? {
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': orderPk(orderId), ':prefix': range.prefix },
          }
        : {
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :through',
            ExpressionAttributeValues: {
              ':pk': orderPk(orderId),
              ':from': range.from,
              ':through': range.through,
            },
          }),
      ConsistentRead: true,
      ExclusiveStartKey: startKey,
    }),
  );
  return { records: result.Items ?? [], lastKey: result.LastEvaluatedKey };
}

/** Every record of one sort-key range, page after page (after the key `after`, if given). */
async function rangeUnder(
  client: DynamoDBDocumentClient,
  tableName: string,
  orderId: string,
  range: SortKeyRange,
  after?: Key,
): Promise<Key[]> {
  const records: Key[] = [];
  let startKey = after;
  do {
    const page = await queryUnder(client, tableName, orderId, range, startKey);
    records.push(...page.records);
    startKey = page.lastKey;
  } while (startKey !== undefined);
  return records;
}
