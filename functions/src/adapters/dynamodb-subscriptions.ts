import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { SubscriptionRecord } from '../domain/subscriptions';
import type { SubscriptionRepository } from '../ports';

export const subscriptionsPk = (agencyId: string): string => `SUBSCRIPTIONS#${agencyId}`;
export const subscriptionSk = (subscriptionId: string): string => `SUBSCRIPTION#${subscriptionId}`;

function toRecord(item: Record<string, unknown>): SubscriptionRecord {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as unknown as SubscriptionRecord;
}

/**
 * Every subscription of the agency, oldest first: one query. A function of its own so that the publishers, which
 * only list, bundle this and not the whole repository.
 */
export async function listSubscriptions(
  client: DynamoDBDocumentClient,
  tableName: string,
  agencyId: string,
): Promise<SubscriptionRecord[]> {
  const subscriptions: SubscriptionRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': subscriptionsPk(agencyId), ':sk': 'SUBSCRIPTION#' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of result.Items ?? []) subscriptions.push(toRecord(item));
    startKey = result.LastEvaluatedKey;
  } while (startKey !== undefined);
  return subscriptions.sort((left, right) => left.createdAt.localeCompare(right.createdAt));
}

/** One partition per agency: listing is one query, and an id is only ever looked up under the caller's agency. */
export class DynamoSubscriptionRepository implements SubscriptionRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private key(agencyId: string, subscriptionId: string) {
    return { pk: subscriptionsPk(agencyId), sk: subscriptionSk(subscriptionId) };
  }

  async create(subscription: SubscriptionRecord): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...this.key(subscription.agencyId, subscription.subscriptionId), ...subscription },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(agencyId: string, subscriptionId: string): Promise<SubscriptionRecord | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(agencyId, subscriptionId) }),
    );
    return result.Item ? toRecord(result.Item) : null;
  }

  list(agencyId: string): Promise<SubscriptionRecord[]> {
    return listSubscriptions(this.client, this.tableName, agencyId);
  }

  async update(
    agencyId: string,
    subscriptionId: string,
    set: Partial<Pick<SubscriptionRecord, 'status' | 'disabledAt' | 'lastDelivery'>>,
  ): Promise<void> {
    const entries = Object.entries(set).filter(([, value]) => value !== undefined);
    if (entries.length === 0) return;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(agencyId, subscriptionId),
          UpdateExpression: `SET ${entries.map((_, index) => `#f${index} = :v${index}`).join(', ')}`,
          // A subscription deleted meanwhile stays deleted.
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: Object.fromEntries(entries.map(([name], index) => [`#f${index}`, name])),
          ExpressionAttributeValues: Object.fromEntries(
            entries.map(([, value], index) => [`:v${index}`, value]),
          ),
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  async delete(agencyId: string, subscriptionId: string): Promise<boolean> {
    const result = await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: this.key(agencyId, subscriptionId),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return result.Attributes !== undefined;
  }
}
