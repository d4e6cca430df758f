import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { OrderRecord } from '../domain/records';
import type { IssuedLetter, ReportStore } from '../ports';
import { orderFromItem } from './dynamodb-order-keys';

export const letterPk = (digest: string): string => `LETTER#${digest}`;
const LETTER_SK = 'LETTER';

/** Reads orders by creation time through `byAgency` (markers only), and the issued letters (`LETTER#<sha256>`). */
export class DynamoReportStore implements ReportStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async *ordersCreatedBetween(agencyId: string, fromIso: string, toIso: string): AsyncIterable<OrderRecord> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byAgency',
          // gsi1sk is `<createdAt>#<orderId>`: '~' sorts after '#', so the upper bound keeps the last instant.
          KeyConditionExpression: 'gsi1pk = :agency AND gsi1sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':agency': `AGENCY#${agencyId}`,
            ':from': fromIso,
            ':to': `${toIso}~`,
          },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of result.Items ?? []) yield orderFromItem(item);
      startKey = result.LastEvaluatedKey;
    } while (startKey !== undefined);
  }

  async recordLetter(letter: IssuedLetter): Promise<void> {
    // The first issue of a digest stays: the same letter served twice is the same letter.
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: letterPk(letter.digest), sk: LETTER_SK, ...letter },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
    }
  }

  async findLetter(digest: string): Promise<IssuedLetter | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: letterPk(digest), sk: LETTER_SK } }),
    );
    if (result.Item === undefined) return null;
    const { digest: stored, orderId, stage, issuedAt, asOf } = result.Item;
    return {
      digest: String(stored),
      orderId: String(orderId),
      stage: String(stage),
      issuedAt: String(issuedAt),
      asOf: String(asOf),
    };
  }
}
