import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

/** Write helpers shared by the DynamoDB adapters: update expressions, error kinds, chunked transactional puts. */

/** Builds `SET #a = :a, ...` with safe placeholders for any attribute name. */
export function setExpression(
  values: Record<string, unknown>,
  prefix: string,
): { clauses: string[]; names: Record<string, string>; values: Record<string, unknown> } {
  const clauses: string[] = [];
  const names: Record<string, string> = {};
  const placeholders: Record<string, unknown> = {};
  Object.entries(values).forEach(([name, value], index) => {
    if (value === undefined) return;
    names[`#${prefix}${index}`] = name;
    placeholders[`:${prefix}${index}`] = value;
    clauses.push(`#${prefix}${index} = :${prefix}${index}`);
  });
  return { clauses, names, values: placeholders };
}

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

export const isCancelled = (error: unknown): boolean =>
  error instanceof TransactionCanceledException ||
  (error instanceof Error &&
    (error.name === 'TransactionCanceledException' || error.name === 'TransactionConflictException'));

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** TransactWriteItems takes at most 100 actions and 4 MB per request; the byte budget leaves room for overhead. */
export const ITEMS_PER_WRITE = 100;
export const MAX_ITEM_WRITE_BYTES = 3_000_000;
/** Bounded so that one large order neither throttles a small table nor starves the function of sockets. */
export const PARALLEL_ITEM_WRITES = 4;
const ITEM_WRITE_ATTEMPTS = 8;

export class ItemWriteError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ItemWriteError';
  }
}

/** Splits records into consecutive chunks of at most `maxCount` records and `maxBytes` (by their JSON size). */
export function itemWriteChunks<T>(records: readonly T[], maxCount: number, maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const record of records) {
    const bytes = Buffer.byteLength(JSON.stringify(record));
    if (current.length > 0 && (current.length >= maxCount || currentBytes + bytes > maxBytes)) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(record);
    currentBytes += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

const RETRYABLE_WRITE_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'TransactionInProgressException',
  'InternalServerError',
]);
const RETRYABLE_CANCELLATION_CODES = new Set([
  'None',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'TransactionConflict',
]);

/** Throttling and conflicts pass; a cancellation for any other reason (a validation error) would only repeat. */
function isRetryableWrite(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TransactionCanceledException') {
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    return reasons.every((reason) => RETRYABLE_CANCELLATION_CODES.has(reason.Code ?? 'None'));
  }
  return RETRYABLE_WRITE_ERRORS.has(error.name);
}

/**
 * Writes records as transactions of up to 100 puts, a few at once. Each chunk lands whole or not at all, and on
 * DynamoDB Local one transaction is one disk commit (a batch write commits per item, ~30x slower), which keeps a
 * 10,000-item order within the API's 29 s. Puts are unconditional: rewriting an item with the same content is
 * harmless, so a retry after a crash may overlap what was written. On AWS a transactional put costs 2 WCU per KB
 * against 1 for a batch put, and one order's items share a partition (1,000 WCU/s until DynamoDB splits it).
 */
export async function writeInTransactionChunks(
  client: DynamoDBDocumentClient,
  tableName: string,
  records: Record<string, unknown>[],
): Promise<void> {
  const chunks = itemWriteChunks(records, ITEMS_PER_WRITE, MAX_ITEM_WRITE_BYTES);
  let failed = false;
  const workers = Array.from({ length: Math.min(PARALLEL_ITEM_WRITES, chunks.length) }, async () => {
    // After one chunk failed the others stop taking work: the caller's retry will write what is missing.
    for (let chunk = chunks.shift(); chunk !== undefined && !failed; chunk = chunks.shift()) {
      try {
        await writeChunk(client, tableName, chunk);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  });
  await Promise.all(workers);
}

async function writeChunk(
  client: DynamoDBDocumentClient,
  tableName: string,
  records: Record<string, unknown>[],
): Promise<void> {
  const transactItems = records.map((Item) => ({ Put: { TableName: tableName, Item } }));
  for (let attempt = 1; ; attempt += 1) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: transactItems }));
      return;
    } catch (error) {
      if (!isRetryableWrite(error) || attempt >= ITEM_WRITE_ATTEMPTS) {
        throw new ItemWriteError(`could not write ${records.length} items after ${attempt} attempts`, {
          cause: error,
        });
      }
      // Full jitter, so that parallel writers that were throttled together do not retry together.
      await sleep(Math.random() * Math.min(2_000, 50 * 2 ** attempt));
    }
  }
}
