import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { PlatformRecord } from '../domain/records';
import type { PlatformRepository } from '../ports';

export const platformPk = (platformId: string): string => `PLATFORM#${platformId}`;
export const PLATFORM_SK = 'PLATFORM';

function toRecord(item: Record<string, unknown>): PlatformRecord {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as unknown as PlatformRecord;
}

export class DynamoPlatformRepository implements PlatformRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(platformId: string): Promise<PlatformRecord | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: platformPk(platformId), sk: PLATFORM_SK } }),
    );
    return result.Item ? toRecord(result.Item) : null;
  }

  async create(platform: PlatformRecord): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: platformPk(platform.platformId), sk: PLATFORM_SK, ...platform },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error).name === 'ConditionalCheckFailedException'
      ) {
        return false;
      }
      throw error;
    }
  }

  async update(platformId: string, set: Partial<Omit<PlatformRecord, 'platformId'>>): Promise<void> {
    const entries = Object.entries(set).filter(([, value]) => value !== undefined);
    if (entries.length === 0) return;
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: platformPk(platformId), sk: PLATFORM_SK },
        UpdateExpression: `SET ${entries.map((_, index) => `#f${index} = :v${index}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: Object.fromEntries(entries.map(([name], index) => [`#f${index}`, name])),
        ExpressionAttributeValues: Object.fromEntries(
          entries.map(([, value], index) => [`:v${index}`, value]),
        ),
      }),
    );
  }

  /** Platforms are few (tens); a filtered scan keeps the GSI reserved for order markers. */
  async list(): Promise<PlatformRecord[]> {
    const platforms: PlatformRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'sk = :sk',
          ExpressionAttributeValues: { ':sk': PLATFORM_SK },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of result.Items ?? []) platforms.push(toRecord(item));
      startKey = result.LastEvaluatedKey;
    } while (startKey !== undefined);
    return platforms.sort((left, right) => left.platformId.localeCompare(right.platformId));
  }
}
