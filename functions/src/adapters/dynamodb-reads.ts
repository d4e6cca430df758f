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
  const records: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': orderPk(orderId), ':prefix': prefix },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    records.push(...(result.Items ?? []));
    startKey = result.LastEvaluatedKey;
  } while (startKey !== undefined);
  return records;
}
