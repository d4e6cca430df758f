import { BatchGetCommand, type DynamoDBDocumentClient, ExecuteStatementCommand } from '@aws-sdk/lib-dynamodb';
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
 * Reads of duplicate detection: the open-locators index (one PartiQL SELECT per 50 distinct digests, KEYS_ONLY, a few
 * in flight)
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

/** Digests per PartiQL statement: DynamoDB takes at most 50 values in a partition key's `IN` list. */
export const LOCATORS_PER_STATEMENT = 50;
/** Statements in flight at once: enough to hide latency, few enough not to starve the item writes that follow. */
export const PARALLEL_LOCATOR_STATEMENTS = 4;

/**
 * One PartiQL `SELECT ... WHERE gsi3pk IN [...]` on the index per 50 distinct digests (a Query each would be 50
 * round trips), each statement paged until done; entries beyond `MAX_OPEN_ITEMS_PER_LOCATOR` for one digest are
 * dropped, as the Query's limit did.
 */
export async function queryOpenLocators(
  client: DynamoDBDocumentClient,
  tableName: string,
  digests: readonly string[],
): Promise<OpenLocatorItem[]> {
  const unique = [...new Set(digests)];
  const batches: string[][] = [];
  for (let start = 0; start < unique.length; start += LOCATORS_PER_STATEMENT)
    batches.push(unique.slice(start, start + LOCATORS_PER_STATEMENT));
  const found: OpenLocatorItem[] = [];
  const perDigest = new Map<string, number>();
  const workers = Array.from({ length: Math.min(PARALLEL_LOCATOR_STATEMENTS, batches.length) }, async () => {
    for (let batch = batches.pop(); batch !== undefined; batch = batches.pop()) {
      const statement =
        `SELECT gsi3pk, gsi3sk FROM "${tableName}"."${BY_OPEN_LOCATOR_INDEX}" ` +
        `WHERE gsi3pk IN [${batch.map(() => '?').join(', ')}]`;
      let nextToken: string | undefined;
      do {
        const result = await client.send(
          new ExecuteStatementCommand({
            Statement: statement,
            Parameters: batch.map((digest) => `OPENLOC#${digest}`),
            NextToken: nextToken,
          }),
        );
        for (const entry of result.Items ?? []) {
          const digest = String(entry.gsi3pk).slice('OPENLOC#'.length);
          const seen = perDigest.get(digest) ?? 0;
          if (seen >= MAX_OPEN_ITEMS_PER_LOCATOR) continue;
          perDigest.set(digest, seen + 1);
          const sortKey = String(entry.gsi3sk);
          const split = sortKey.lastIndexOf('#');
          found.push({ digest, orderId: sortKey.slice(0, split), itemId: sortKey.slice(split + 1) });
        }
        nextToken = result.NextToken;
      } while (nextToken !== undefined);
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
