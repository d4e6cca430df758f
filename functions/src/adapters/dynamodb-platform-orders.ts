import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decodeCursor } from '../cursor';
import type { OrderRecord } from '../domain/records';
import type { Page, PageRequest, PlatformOrderIndex } from '../ports';
import { BY_PLATFORM_INDEX, orderFromItem, platformOrderPk } from './dynamodb-order-keys';
import { queryPage } from './dynamodb-reads';

/** One query of the `byPlatform` index per page, newest first, with the same opaque cursors as the agency list. */
export class DynamoPlatformOrderIndex implements PlatformOrderIndex {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async listOrders(
    platformId: string,
    filter: { status: string | null },
    page: PageRequest,
  ): Promise<Page<OrderRecord>> {
    const partition = platformOrderPk(platformId);
    const found = await queryPage<Record<string, unknown>>(
      this.client,
      {
        TableName: this.tableName,
        IndexName: BY_PLATFORM_INDEX,
        KeyConditionExpression: 'gsi4pk = :platform',
        ScanIndexForward: false,
        ExpressionAttributeValues: {
          ':platform': partition,
          ...(filter.status !== null ? { ':status': filter.status } : {}),
        },
        ...(filter.status !== null
          ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } }
          : {}),
      },
      page,
      (key) => ({
        pk: String(key.pk),
        sk: String(key.sk),
        gsi4pk: String(key.gsi4pk),
        gsi4sk: String(key.gsi4sk),
      }),
      // A cursor from another platform's listing must not open this one's index partition to it.
      (cursor) => ({ ...decodeCursor(cursor, ['pk', 'sk', 'gsi4pk', 'gsi4sk']), gsi4pk: partition }),
    );
    return { items: found.items.map(orderFromItem), nextCursor: found.nextCursor };
  }
}
