import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { NO_DELIVERY_HEALTH } from '../domain/platform-health';
import type { PlatformDeliveryHealth, PlatformDeliveryOutcome, PlatformRecord } from '../domain/records';
import type { PlatformRepository } from '../ports';

export const platformPk = (platformId: string): string => `PLATFORM#${platformId}`;
export const PLATFORM_SK = 'PLATFORM';
/** Every platform is listed under this `byAgency` partition (`gsi1sk` = its id), beside the agencies' orders. */
export const PLATFORMS_GSI1PK = 'PLATFORMS';

/** The health's fields are attributes of the platform item of their own, so that one update can `ADD` to a count. */
const HEALTH_FIELDS = Object.keys(NO_DELIVERY_HEALTH) as (keyof PlatformDeliveryHealth)[];

function toRecord(item: Record<string, unknown>): PlatformRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, ...rest } = item;
  const record: Record<string, unknown> = {};
  const health: Record<string, unknown> = { ...NO_DELIVERY_HEALTH };
  let measured = false;
  for (const [name, value] of Object.entries(rest)) {
    if ((HEALTH_FIELDS as string[]).includes(name)) {
      health[name] = name === 'consecutiveWebhookFailures' ? Number(value) : value;
      measured = true;
    } else record[name] = value;
  }
  if (measured) record.deliveryHealth = health;
  return record as unknown as PlatformRecord;
}

/** The update of one delivery: `SET` what it tells, `ADD 1` to the failures (or `SET 0` on a success). */
function healthUpdate(outcome: PlatformDeliveryOutcome): {
  expression: string;
  values: Record<string, unknown>;
} {
  if (outcome.channel === 'email') {
    const { at, orderId, sent, error } = outcome;
    return { expression: 'SET lastEmail = :email', values: { ':email': { at, orderId, sent, error } } };
  }
  if (outcome.delivered) {
    return {
      expression: 'SET lastWebhookSuccessAt = :at, consecutiveWebhookFailures = :zero',
      values: { ':at': outcome.at, ':zero': 0 },
    };
  }
  return {
    expression:
      'SET lastWebhookFailureAt = :at, lastWebhookHttpStatus = :status, lastWebhookError = :error ' +
      'ADD consecutiveWebhookFailures :one',
    values: {
      ':at': outcome.at,
      ':status': outcome.httpStatus,
      ':error': outcome.error ?? `HTTP ${outcome.httpStatus}`,
      ':one': 1,
    },
  };
}

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error as Error).name === 'ConditionalCheckFailedException';

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
          Item: {
            pk: platformPk(platform.platformId),
            sk: PLATFORM_SK,
            gsi1pk: PLATFORMS_GSI1PK,
            gsi1sk: platform.platformId,
            ...platform,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async recordDelivery(platformId: string, outcome: PlatformDeliveryOutcome): Promise<void> {
    const update = healthUpdate(outcome);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: platformPk(platformId), sk: PLATFORM_SK },
          UpdateExpression: update.expression,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: update.values,
        }),
      );
    } catch (error) {
      // A platform that is gone has no health to keep.
      if (!isConditionFailure(error)) throw error;
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

  /**
   * One query of the `byAgency` index's `PLATFORMS` partition, in id order. A filtered scan read the whole table
   * (every item of every order) to find a few platforms: 5 s a call on DynamoDB Local once it held 30,000 items.
   */
  async list(): Promise<PlatformRecord[]> {
    const platforms: PlatformRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byAgency',
          KeyConditionExpression: 'gsi1pk = :platforms',
          ExpressionAttributeValues: { ':platforms': PLATFORMS_GSI1PK },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of result.Items ?? []) platforms.push(toRecord(item));
      startKey = result.LastEvaluatedKey;
    } while (startKey !== undefined);
    return platforms;
  }
}
