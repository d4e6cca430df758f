import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { decodeCursor } from '../cursor';
import type { AuditEvent } from '../domain/audit';
import type { ChainedAuditEvent, StoredChainHead } from '../domain/audit-chain';
import { ConcurrentChangeError } from '../domain/errors';
import type { NoticeRecord } from '../domain/notices';
import type { DeliveryAttempt, ItemRecord, OrderRecord } from '../domain/records';
import type { OpenOrder } from '../domain/recovery';
import type {
  ChainSigner,
  IdempotencyCompletion,
  OrderChange,
  OrderRepository,
  Page,
  PageRequest,
} from '../ports';
import { linkAuditEvent, storedAuditEvent } from './audit-chain-links';
import { completionUpdate } from './dynamodb-idempotency';
import {
  auditSk,
  BY_OPEN_ORDER_INDEX,
  deliverySk,
  ITEM_KEYS,
  itemSk,
  noticeSk,
  OPEN_ORDER_SHARDS,
  ORDER_SK,
  openLocatorKeys,
  openOrderKeys,
  orderFromItem,
  orderPk,
  platformOrderKeys,
  strip,
} from './dynamodb-order-keys';
import { allInSequence, allUnder, queryPage } from './dynamodb-reads';
import { type ItemOwner, itemSearchKeys, referenceRecord, removedIndexKeys } from './dynamodb-search-keys';
import {
  ITEMS_PER_WRITE,
  isCancelled,
  isConditionFailure,
  itemWriteChunks,
  MAX_ITEM_WRITE_BYTES,
  setExpression,
  sleep,
  writeInTransactionChunks,
} from './dynamodb-writes';

export { auditSk, deliverySk, itemSk, noticeSk, ORDER_SK, orderPk } from './dynamodb-order-keys';

/** Items as stored: keyed under the order, with their open-locator and search index keys. */
const itemRecordsOf = (items: readonly ItemRecord[], owner: ItemOwner): Record<string, unknown>[] =>
  items.map((item) => ({
    pk: orderPk(item.orderId),
    sk: itemSk(item.itemId),
    ...openLocatorKeys(item),
    ...itemSearchKeys(item, owner),
    ...item,
  }));

export {
  ITEMS_PER_WRITE,
  ItemWriteError,
  itemWriteChunks,
  MAX_ITEM_WRITE_BYTES,
  PARALLEL_ITEM_WRITES,
} from './dynamodb-writes';

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

export class DynamoOrderRepository implements OrderRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Signs each new audit chain head; null leaves heads unsigned (reported as such by verification). */
    private readonly chainSigner: ChainSigner | null = null,
  ) {}

  async getOrder(orderId: string): Promise<OrderRecord | null> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: orderPk(orderId), sk: ORDER_SK },
        ConsistentRead: true,
      }),
    );
    return result.Item ? orderFromItem(result.Item) : null;
  }

  /**
   * Writes items as transactions of up to 100 puts, a few at once. Each chunk lands whole or not at all, and on
   * DynamoDB Local one transaction is one disk commit (a batch write commits per item, ~30x slower), which keeps a
   * 10,000-item order within the API's 29 s. Puts are unconditional: rewriting an item with the same content is
   * harmless, so a retry after a crash may overlap what was written. On AWS a transactional put costs 2 WCU per KB
   * against 1 for a batch put, and one order's items share a partition (1,000 WCU/s until DynamoDB splits it).
   */
  async putItems(items: ItemRecord[], owner: ItemOwner): Promise<void> {
    await writeInTransactionChunks(this.client, this.tableName, itemRecordsOf(items, owner));
  }

  async createOrder(
    order: OrderRecord,
    audit: Omit<AuditEvent, 'seq'>,
    notices: NoticeRecord[],
    items: ItemRecord[] = [],
    completes?: IdempotencyCompletion,
  ): Promise<boolean> {
    const records = itemRecordsOf(items, order);
    // Past the request's byte budget (much evidence) the items go first, in chunks, as for a large order.
    const together = itemWriteChunks(records, ITEMS_PER_WRITE, MAX_ITEM_WRITE_BYTES).length <= 1;
    if (!together) await writeInTransactionChunks(this.client, this.tableName, records);
    const chain = await linkAuditEvent(this.chainSigner, { ...audit, seq: order.auditSeq }, null, new Date());
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            ...(together ? records.map((Item) => ({ Put: { TableName: this.tableName, Item } })) : []),
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  pk: orderPk(order.orderId),
                  sk: ORDER_SK,
                  gsi1pk: `AGENCY#${order.agencyId}`,
                  gsi1sk: `${order.createdAt}#${order.orderId}`,
                  ...openOrderKeys(order),
                  ...platformOrderKeys(order),
                  ...order,
                  auditHead: chain.head,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...notices.map((notice) => this.noticePut(notice)),
            // Found by its reference from the moment it exists (an idempotent put: a retry rewrites the same).
            { Put: { TableName: this.tableName, Item: referenceRecord(order) } },
            {
              Put: {
                TableName: this.tableName,
                Item: { pk: orderPk(order.orderId), sk: auditSk(order.auditSeq), ...chain.event },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...(completes ? [{ Update: completionUpdate(this.tableName, 'IDEMPOTENCY', completes) }] : []),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isCancelled(error)) return false;
      throw error;
    }
  }

  /** The marker's current chain head, read only to link the next event; a moved version means a lost race. */
  private async chainHeadFor(orderId: string, expectedVersion: number): Promise<StoredChainHead | null> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: orderPk(orderId), sk: ORDER_SK },
        ProjectionExpression: '#version, auditHead',
        ExpressionAttributeNames: { '#version': 'version' },
        ConsistentRead: true,
      }),
    );
    if (result.Item !== undefined && result.Item.version !== expectedVersion)
      throw new ConcurrentChangeError(`order ${orderId} changed meanwhile`);
    return (result.Item?.auditHead as StoredChainHead | undefined) ?? null;
  }

  async commit(change: OrderChange): Promise<void> {
    const nextSeq = change.auditSeq + 1;
    const chain = change.audit
      ? await linkAuditEvent(
          this.chainSigner,
          { ...change.audit, seq: nextSeq },
          await this.chainHeadFor(change.orderId, change.expectedVersion),
          new Date(),
        )
      : null;
    const order = setExpression(
      {
        ...change.set,
        version: change.expectedVersion + 1,
        ...(chain ? { auditSeq: nextSeq, auditHead: chain.head } : {}),
      },
      'o',
    );
    // The transaction that makes the order final takes it out of the open-orders index.
    const leavesIndex = change.set.finalizedAt !== undefined && change.set.finalizedAt !== null;
    const transactItems: TransactItem[] = [
      {
        Update: {
          TableName: this.tableName,
          Key: { pk: orderPk(change.orderId), sk: ORDER_SK },
          UpdateExpression: `SET ${order.clauses.join(', ')}${leavesIndex ? ' REMOVE gsi2pk, gsi2sk' : ''}`,
          ConditionExpression: '#version = :expectedVersion',
          ExpressionAttributeNames: { ...order.names, '#version': 'version' },
          ExpressionAttributeValues: { ...order.values, ':expectedVersion': change.expectedVersion },
        },
      },
    ];
    for (const item of change.items) {
      const update = setExpression(item.set, 'i');
      if (update.clauses.length === 0) continue;
      transactItems.push({
        Update: {
          TableName: this.tableName,
          Key: { pk: orderPk(change.orderId), sk: itemSk(item.itemId) },
          // An item that is resolved, withdrawn or erased leaves the open-locators index in the same write, and
          // an erased one the locator search too.
          UpdateExpression: `SET ${update.clauses.join(', ')}${removedIndexKeys(item.set)}`,
          ConditionExpression: '#status = :expectedStatus',
          ExpressionAttributeNames: { ...update.names, '#status': 'status' },
          ExpressionAttributeValues: { ...update.values, ':expectedStatus': item.expectedStatus },
        },
      });
    }
    for (const notice of change.notices ?? []) transactItems.push(this.noticePut(notice));
    if (chain) {
      transactItems.push({
        Put: {
          TableName: this.tableName,
          Item: { pk: orderPk(change.orderId), sk: auditSk(nextSeq), ...chain.event },
          // Audit events are never rewritten.
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: transactItems }));
    } catch (error) {
      if (isCancelled(error))
        throw new ConcurrentChangeError(`order ${change.orderId} changed meanwhile`, { cause: error });
      throw error;
    }
  }

  /** Notices are written whole; the marker's version condition in the same transaction guards them. */
  private noticePut(notice: NoticeRecord): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: { pk: orderPk(notice.orderId), sk: noticeSk(notice.noticeId), ...notice },
      },
    };
  }

  async listNotices(orderId: string): Promise<NoticeRecord[]> {
    const records = await allUnder(this.client, this.tableName, orderId, 'NOTICE#');
    return records.map((record) => strip<NoticeRecord>(record));
  }

  async getNotice(orderId: string, noticeId: string): Promise<NoticeRecord | null> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: orderPk(orderId), sk: noticeSk(noticeId) },
        ConsistentRead: true,
      }),
    );
    return result.Item ? strip<NoticeRecord>(result.Item) : null;
  }

  /** Every shard of the open-orders index, page by page (the index holds only what it projects). */
  async listOpenOrders(): Promise<OpenOrder[]> {
    const found: OpenOrder[] = [];
    for (let shard = 0; shard < OPEN_ORDER_SHARDS; shard += 1) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const result = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: BY_OPEN_ORDER_INDEX,
            KeyConditionExpression: 'gsi2pk = :shard',
            ExpressionAttributeValues: { ':shard': `OPEN#${shard}` },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of result.Items ?? []) {
          found.push({
            orderId: String(item.orderId),
            status: String(item.status),
            createdAt: String(item.createdAt),
            executionArn: typeof item.executionArn === 'string' ? item.executionArn : null,
            recoveries: typeof item.recoveries === 'number' ? item.recoveries : 0,
          });
        }
        startKey = result.LastEvaluatedKey;
      } while (startKey !== undefined);
    }
    return found;
  }

  async storeTaskToken(orderId: string, version: number, token: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: orderPk(orderId), sk: ORDER_SK },
          UpdateExpression: 'SET taskToken = :token, #version = :next',
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':token': token, ':version': version, ':next': version + 1 },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async getItems(orderId: string, itemIds: readonly string[]): Promise<ItemRecord[]> {
    const found: ItemRecord[] = [];
    const unique = [...new Set(itemIds)];
    for (let start = 0; start < unique.length; start += 100) {
      let keys: Record<string, unknown>[] = unique
        .slice(start, start + 100)
        .map((itemId) => ({ pk: orderPk(orderId), sk: itemSk(itemId) }));
      for (let attempt = 0; keys.length > 0; attempt += 1) {
        if (attempt > 10) throw new Error('DynamoDB kept keys unprocessed');
        if (attempt > 0) await sleep(Math.min(1_000, 25 * 2 ** attempt));
        const result = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) found.push(strip<ItemRecord>(item));
        keys = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return found;
  }

  listItems(orderId: string, page: PageRequest): Promise<Page<ItemRecord>> {
    return queryPage<ItemRecord>(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': orderPk(orderId), ':prefix': 'ITEM#' },
        ConsistentRead: true,
      },
      page,
      (key) => ({ after: String(key.sk).slice('ITEM#'.length) }),
      (cursor) => ({ pk: orderPk(orderId), sk: itemSk(decodeCursor(cursor, ['after']).after ?? '') }),
    );
  }

  async allItems(orderId: string): Promise<ItemRecord[]> {
    const records = await allInSequence(this.client, this.tableName, orderId, ITEM_KEYS);
    return records.map((record) => strip<ItemRecord>(record));
  }

  async listAudit(orderId: string, page: PageRequest, throughSeq?: number): Promise<Page<ChainedAuditEvent>> {
    const range =
      throughSeq === undefined
        ? {
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':prefix': 'AUDIT#' },
          }
        : {
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
            ExpressionAttributeValues: { ':first': auditSk(0), ':last': auditSk(throughSeq) },
          };
    const found = await queryPage<Record<string, unknown>>(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: range.KeyConditionExpression,
        ExpressionAttributeValues: { ':pk': orderPk(orderId), ...range.ExpressionAttributeValues },
        ConsistentRead: true,
      },
      page,
      (key) => ({ after: String(key.sk) }),
      (cursor) => ({ pk: orderPk(orderId), sk: decodeCursor(cursor, ['after']).after ?? '' }),
    );
    return { items: found.items.map(storedAuditEvent), nextCursor: found.nextCursor };
  }

  async auditTrail(orderId: string): Promise<{ events: ChainedAuditEvent[]; head: StoredChainHead | null }> {
    // The head first: an event and the head that covers it are written in one transaction, so every event up to
    // the head read is there when the events are read; events appended meanwhile are left out.
    const marker = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: orderPk(orderId), sk: ORDER_SK },
        ProjectionExpression: 'auditHead',
        ConsistentRead: true,
      }),
    );
    const head = (marker.Item?.auditHead as StoredChainHead | undefined) ?? null;
    const records = await allUnder(this.client, this.tableName, orderId, 'AUDIT#');
    const events: ChainedAuditEvent[] = records
      .map((record) => storedAuditEvent(strip(record)))
      .filter((event) => head === null || event.seq <= head.seq);
    return { events, head };
  }

  async erasePersonalData(orderId: string, at: Date): Promise<number> {
    const { events } = await this.auditTrail(orderId);
    let erased = 0;
    for (const event of events) {
      if (event.personalData === null) continue;
      // The only change an audit record ever takes: its personal data goes, the digests that chain it stay.
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: orderPk(orderId), sk: auditSk(event.seq) },
          UpdateExpression: 'REMOVE personalData SET personalDataErasedAt = :at',
          ConditionExpression: 'attribute_exists(digest)',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      );
      erased += 1;
    }
    return erased;
  }

  async recordDelivery(attempt: DeliveryAttempt): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: orderPk(attempt.orderId), sk: deliverySk(attempt.at, attempt.part), ...attempt },
      }),
    );
  }

  async listDeliveries(orderId: string, limit: number): Promise<DeliveryAttempt[]> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': orderPk(orderId), ':prefix': 'DELIVERY#' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map((item) => strip<DeliveryAttempt>(item)).reverse();
  }
}
