import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  Clock,
  IdempotencyClaim,
  IdempotencyCompletion,
  IdempotencyStore,
  IdempotentResult,
} from '../ports';

/** Results are kept gzipped: 10,000 per-item results compress far below DynamoDB's 400 KB item limit. */
function unpackResult(stored: unknown): IdempotentResult {
  const value = (
    stored instanceof Uint8Array ? JSON.parse(gunzipSync(stored).toString('utf8')) : stored
  ) as IdempotentResult & { body?: unknown };
  // Records completed before results were stored as such held `{ statusCode, body }` (they expire within 24 h).
  return { result: value.result ?? value.body ?? null, ...(value.orderId ? { orderId: value.orderId } : {}) };
}

export type IdempotencyPrefix = 'IDEMPOTENCY' | 'WEBHOOK';

const recordKey = (prefix: IdempotencyPrefix, key: string) => ({ pk: `${prefix}#${key}`, sk: prefix });

/**
 * The update that completes a record, for `complete` and for a transaction that completes it together with the
 * work it records (`createOrder`'s `completes`).
 */
export function completionUpdate(
  tableName: string,
  prefix: IdempotencyPrefix,
  completion: IdempotencyCompletion,
) {
  return {
    TableName: tableName,
    Key: recordKey(prefix, completion.key),
    UpdateExpression: 'SET #state = :completed, #response = :response, expiresAt = :expiresAt',
    ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
    ExpressionAttributeValues: {
      ':completed': 'completed',
      ':response': gzipSync(JSON.stringify(completion.stored)),
      ':expiresAt': Math.floor(completion.completedAt.getTime() / 1000) + completion.ttlSeconds,
    },
  };
}

const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

/**
 * Idempotency records: `IDEMPOTENCY#<agencyId>#<key>` / `IDEMPOTENCY` for agencies,
 * `WEBHOOK#<platformId>#<webhook-id>` / `WEBHOOK` for platforms; both expire by TTL (`expiresAt`).
 */
export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly prefix: IdempotencyPrefix,
    private readonly clock: Clock,
  ) {}

  private key(key: string) {
    return recordKey(this.prefix, key);
  }

  async claim(input: {
    key: string;
    requestHash: string;
    payload: Record<string, unknown>;
    leaseMs: number;
    ttlSeconds: number;
  }): Promise<IdempotencyClaim> {
    const now = this.clock.now().getTime();
    const nowSeconds = Math.floor(now / 1000);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...this.key(input.key),
            state: 'in_flight',
            requestHash: input.requestHash,
            payload: input.payload,
            leaseUntil: now + input.leaseMs,
            expiresAt: nowSeconds + input.ttlSeconds,
          },
          // TTL deletion is lazy: an expired record counts as absent.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
      return { state: 'claimed', payload: input.payload };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(input.key), ConsistentRead: true }),
    );
    const record = existing.Item;
    if (record === undefined) return this.claim(input);
    if (record.requestHash !== input.requestHash) return { state: 'reused' };
    if (record.state === 'completed') {
      return {
        state: 'completed',
        requestHash: String(record.requestHash),
        stored: unpackResult(record.response),
      };
    }
    if (Number(record.leaseUntil) > now) return { state: 'in_flight' };
    // The first attempt's lease ran out (it crashed): take over, keeping its payload so the work converges.
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(input.key),
          UpdateExpression: 'SET leaseUntil = :lease',
          ConditionExpression: 'leaseUntil = :old AND #state = :inFlight',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':lease': now + input.leaseMs,
            ':old': record.leaseUntil,
            ':inFlight': 'in_flight',
          },
        }),
      );
      return { state: 'claimed', payload: (record.payload ?? {}) as Record<string, unknown> };
    } catch (error) {
      if (isConditionFailure(error)) return { state: 'in_flight' };
      throw error;
    }
  }

  async complete(key: string, stored: IdempotentResult, ttlSeconds: number): Promise<void> {
    await this.client.send(
      new UpdateCommand(
        completionUpdate(this.tableName, this.prefix, {
          key,
          stored,
          ttlSeconds,
          completedAt: this.clock.now(),
        }),
      ),
    );
  }

  async release(key: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: this.key(key) }));
  }
}
