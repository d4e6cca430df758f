/**
 * Helpers for the attack tests on the shared e2e local cloud: what the table holds (read through DynamoDB Local,
 * not the API), and what a problem document must look like.
 */
import { dirname, join } from 'node:path';
import {
  type AttributeValue,
  DynamoDBClient,
  ListTablesCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { expect } from 'vitest';
import { type ApiResponse, cloud, waitFor } from '../e2e/harness';

export class AttackHarnessError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AttackHarnessError';
  }
}

let client: DynamoDBClient | undefined;
let tableName: string | undefined;

function dynamodb(): DynamoDBClient {
  client ??= new DynamoDBClient({
    endpoint: cloud().dynamodbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'attack', secretAccessKey: 'attack' },
  });
  return client;
}

/** The one table of the stack, as the local cloud created it from the template. */
export async function table(): Promise<string> {
  if (tableName) return tableName;
  const listed = await dynamodb().send(new ListTablesCommand({}));
  const name = listed.TableNames?.find((candidate) => candidate.startsWith('Tenggat'));
  if (!name) throw new AttackHarnessError(`no Tenggat table in ${JSON.stringify(listed.TableNames)}`);
  tableName = name;
  return name;
}

type Item = Record<string, AttributeValue>;

async function partitionRecords(pk: string): Promise<Item[]> {
  const records: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await dynamodb().send(
      new QueryCommand({
        TableName: await table(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk } },
        ExclusiveStartKey: start,
      }),
    );
    records.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return records;
}

const canonical = (records: Item[]): string[] =>
  records.map((record) => JSON.stringify(record, Object.keys(record).sort()));

/** Every record of one partition (an order: marker, items, audit, deliveries), as canonical text for comparison. */
export async function partition(pk: string): Promise<string[]> {
  return canonical(await partitionRecords(pk));
}

export const orderPartition = (orderId: string) => partition(`ORDER#${orderId}`);

/**
 * The order's partition once no notice is still being delivered. A closed order's last notice (its closing
 * webhook) may still be retrying when the order reads as closed, and each attempt adds a record: a snapshot taken
 * before that would see the platform's own delivery as the attacker's write.
 */
export function settledOrderPartition(orderId: string, timeoutMs = 60_000): Promise<string[]> {
  return waitFor(
    async () => {
      const records = await partitionRecords(`ORDER#${orderId}`);
      const delivering = records.some(
        (record) => record.sk?.S?.startsWith('NOTICE#') && record.webhook?.M?.state?.S === 'pending',
      );
      return delivering ? undefined : canonical(records);
    },
    { timeoutMs, intervalMs: 250, what: `every notice of order ${orderId} delivered` },
  );
}

/**
 * Keys of every record whose key or any (uncompressed) attribute contains `marker`. Other test files write to the
 * same table meanwhile, so "nothing written" is asserted for what carries this request's own unique marker.
 */
export async function recordsMentioning(markers: string | readonly string[]): Promise<string[]> {
  const byMarker = await recordsMentioningEach(typeof markers === 'string' ? [markers] : markers);
  return [...new Set(Object.values(byMarker).flat())].sort();
}

/**
 * The same, for many markers in one pass over the table, by marker (markers found nowhere are left out): a file
 * that checks many refused requests scans once, since by the end of a run the table holds several 10,000-item
 * orders and each scan takes seconds.
 */
export async function recordsMentioningEach(markers: readonly string[]): Promise<Record<string, string[]>> {
  const tableName = await table();
  const found: Record<string, string[]> = {};
  // The whole table, in parallel segments.
  const segment = async (index: number): Promise<void> => {
    let start: Item | undefined;
    do {
      const page = await dynamodb().send(
        new ScanCommand({
          TableName: tableName,
          ExclusiveStartKey: start,
          Segment: index,
          TotalSegments: SCAN_SEGMENTS,
        }),
      );
      for (const record of page.Items ?? []) {
        const text = JSON.stringify(record);
        for (const marker of markers) {
          if (text.includes(marker))
            found[marker] = [...(found[marker] ?? []), `${record.pk?.S} ${record.sk?.S}`];
        }
      }
      start = page.LastEvaluatedKey;
    } while (start);
  };
  await Promise.all(Array.from({ length: SCAN_SEGMENTS }, (_, index) => segment(index)));
  for (const keys of Object.values(found)) keys.sort();
  return found;
}

/**
 * Refused requests whose "stored nothing" is checked together, in one scan, by the file's last test: `refused`
 * while a test runs, `storedOf` at the end, which names each request that left a record behind.
 */
export function refusedRequests() {
  const markers = new Map<string, string>();
  return {
    refused(marker: string, what: string): void {
      markers.set(marker, what);
    },
    async storedOf(): Promise<{ checked: number; stored: Record<string, string[]> }> {
      const found = await recordsMentioningEach([...markers.keys()]);
      const stored = Object.fromEntries(
        Object.entries(found).map(([marker, keys]) => [markers.get(marker) ?? marker, keys]),
      );
      return { checked: markers.size, stored };
    },
  };
}
const SCAN_SEGMENTS = 4;

/** The local cloud's data dir (the global setup keeps it next to its progress log). */
export function dataDir(): string {
  return join(dirname(cloud().progressLogPath), 'data');
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field?: string; path?: string; message?: string }[];
}

/** An RFC 9457 problem document with one of the expected statuses. */
export function expectProblem(response: ApiResponse<unknown>, statuses: number[]): Problem {
  expect(statuses, JSON.stringify(response.body)).toContain(response.status);
  expect(response.headers.get('content-type') ?? '').toMatch(/^application\/problem\+json/);
  const body = response.body as Problem;
  expect(typeof body.type).toBe('string');
  expect(typeof body.title).toBe('string');
  return body;
}

/** The field names a 422 problem document names. */
export function problemFields(problem: Problem): string[] {
  return (problem.errors ?? []).map((error) => String(error.field ?? error.path ?? ''));
}

/**
 * A closed order after its platform answered every item: on time or, on a machine busy with the whole e2e suite,
 * past the `fast` policy's few-second deadline (`complied_late`, or escalated to the end).
 */
export const isAnsweredAndClosed = (order: { status: string }) =>
  ['complied', 'complied_late', 'referred_for_blocking'].includes(order.status);
