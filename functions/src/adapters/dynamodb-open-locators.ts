import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { OrderRecord } from '../domain/records';
import {
  MAX_OPEN_ITEMS_PER_LOCATOR,
  type OpenLocatorIndex,
  type OpenLocatorItem,
  type OrderState,
} from '../ports';
import { BY_OPEN_LOCATOR_INDEX, ORDER_SK, orderPk } from './dynamodb-order-keys';
import { sleep } from './dynamodb-writes';

/**
 * Reads of duplicate detection: the open-locators index (one Query per distinct digest, KEYS_ONLY, a few in flight)
 * and the markers of the orders it names (BatchGetItem of a few attributes).
 */

export class DynamoOpenLocatorIndex implements OpenLocatorIndex {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  openItemsByLocator(digests: readonly string[]): Promise<OpenLocatorItem[]> {
    return queryOpenLocators(this.client, this.tableName, digests);
  }

  orderStates(orderIds: readonly string[]): Promise<OrderState[]> {
    return readOrderStates(this.client, this.tableName, orderIds);
  }
}

/** Queries in flight at once: enough to hide latency, few enough not to starve the item writes that follow. */
export const PARALLEL_LOCATOR_QUERIES = 16;

export async function queryOpenLocators(
  client: DynamoDBDocumentClient,
  tableName: string,
  digests: readonly string[],
): Promise<OpenLocatorItem[]> {
  const pending = [...new Set(digests)];
  const found: OpenLocatorItem[] = [];
  const workers = Array.from({ length: Math.min(PARALLEL_LOCATOR_QUERIES, pending.length) }, async () => {
    for (let digest = pending.pop(); digest !== undefined; digest = pending.pop()) {
      // One page: KEYS_ONLY entries are ~100 bytes, so the limit, not the 1 MB page, ends it.
      const result = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: BY_OPEN_LOCATOR_INDEX,
          KeyConditionExpression: 'gsi3pk = :pk',
          ExpressionAttributeValues: { ':pk': `OPENLOC#${digest}` },
          Limit: MAX_OPEN_ITEMS_PER_LOCATOR,
        }),
      );
      for (const entry of result.Items ?? []) {
        const sortKey = String(entry.gsi3sk);
        const split = sortKey.lastIndexOf('#');
        found.push({ digest, orderId: sortKey.slice(0, split), itemId: sortKey.slice(split + 1) });
      }
    }
  });
  await Promise.all(workers);
  return found;
}

export async function readOrderStates(
  client: DynamoDBDocumentClient,
  tableName: string,
  orderIds: readonly string[],
): Promise<OrderState[]> {
  const unique = [...new Set(orderIds)];
  const found: OrderState[] = [];
  for (let start = 0; start < unique.length; start += 100) {
    let keys: Record<string, unknown>[] = unique
      .slice(start, start + 100)
      .map((orderId) => ({ pk: orderPk(orderId), sk: ORDER_SK }));
    for (let attempt = 0; keys.length > 0; attempt += 1) {
      if (attempt > 10) throw new Error('DynamoDB kept keys unprocessed');
      if (attempt > 0) await sleep(Math.min(1_000, 25 * 2 ** attempt));
      const result = await client.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: keys,
              ProjectionExpression: 'orderId, agencyId, platformId, #status, finalizedAt',
              ExpressionAttributeNames: { '#status': 'status' },
            },
          },
        }),
      );
      for (const item of result.Responses?.[tableName] ?? []) {
        found.push({
          orderId: String(item.orderId),
          agencyId: String(item.agencyId),
          platformId: String(item.platformId),
          status: item.status as OrderRecord['status'],
          finalizedAt: typeof item.finalizedAt === 'string' ? item.finalizedAt : null,
        });
      }
      keys = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return found;
}
