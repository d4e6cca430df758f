import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { decodeCursorEntries, encodeCursor } from '../cursor';
import type { OrderRecord } from '../domain/records';
import type { OrderList, OrderListQuery, Page, PageRequest } from '../ports';
import { ORDER_SK, orderFromItem, orderPk } from './dynamodb-order-keys';
import { locatorPartition, referencePk } from './dynamodb-search-keys';
import { sleep } from './dynamodb-writes';

/**
 * The order list: newest first, merged over one partition per agency (and per locator digest): the agency's
 * markers in `byAgency`, its reference records, or its items' locator keys in `byAgency`. Each page reads at most
 * `limit` records per partition (one Query each), so a page costs a known amount whatever the filters; a filter
 * that the keys cannot answer leaves a short page with a `nextCursor`. The cursor holds each partition's position
 * (the sort key to continue below) or `~` once a partition is done.
 */

const DONE = '~';

interface Source {
  /** The marker partition of an agency, or a lookup partition whose records name an order by `orderId`. */
  kind: 'markers' | 'lookup';
  indexName: string | null;
  pkName: string;
  skName: string;
  pk: string;
}

interface Candidate {
  sortKey: string;
  source: number;
  orderId: string;
  order: OrderRecord | null;
}

interface SourceRead {
  candidates: Candidate[];
  /** The sort key the query stopped at when the partition holds more; null when it was read to its end. */
  lastRead: string | null;
}

function sourcesOf(query: OrderListQuery): Source[] {
  const agencies = [...new Set(query.agencyIds)].sort();
  if (query.reference !== null) {
    const reference = query.reference;
    return agencies.map((agencyId) => ({
      kind: 'lookup',
      indexName: null,
      pkName: 'pk',
      skName: 'sk',
      pk: referencePk(agencyId, reference),
    }));
  }
  if (query.locatorDigests !== null) {
    const digests = query.locatorDigests;
    return agencies.flatMap((agencyId) =>
      digests.map(
        (digest): Source => ({
          kind: 'lookup',
          indexName: 'byAgency',
          pkName: 'gsi1pk',
          skName: 'gsi1sk',
          pk: locatorPartition(agencyId, digest),
        }),
      ),
    );
  }
  return agencies.map((agencyId) => ({
    kind: 'markers',
    indexName: 'byAgency',
    pkName: 'gsi1pk',
    skName: 'gsi1sk',
    pk: `AGENCY#${agencyId}`,
  }));
}

/** The filters the markers' own partition answers with a FilterExpression (read capacity is spent regardless). */
function markerFilter(query: OrderListQuery): Partial<QueryCommandInput> {
  const conditions: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const [field, value] of [
    ['status', query.status],
    ['stage', query.stage],
    ['platformId', query.platformId],
  ] as const) {
    if (value === null) continue;
    conditions.push(`#${field} = :${field}`);
    names[`#${field}`] = field;
    values[`:${field}`] = value;
  }
  if (conditions.length === 0) return {};
  return {
    FilterExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

const matches = (order: OrderRecord, query: OrderListQuery): boolean =>
  query.agencyIds.includes(order.agencyId) &&
  (query.status === null || order.status === query.status) &&
  (query.stage === null || order.stage === query.stage) &&
  (query.platformId === null || order.platformId === query.platformId);

export class DynamoOrderList implements OrderList {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async listOrders(query: OrderListQuery, page: PageRequest): Promise<Page<OrderRecord>> {
    const sources = sourcesOf(query);
    const positions = page.cursor === null ? {} : decodeCursorEntries(page.cursor);
    const reads = await Promise.all(
      sources.map((source, index) => {
        const position = positions[`s${index}`];
        if (position === DONE) return { candidates: [], lastRead: null };
        return this.read(source, index, position ?? null, query, page.limit);
      }),
    );
    await this.hydrate(reads.flatMap((read) => read.candidates));
    const candidates = reads
      .flatMap((read) => read.candidates)
      .filter((candidate) => candidate.order !== null && matches(candidate.order, query))
      .sort((left, right) => (left.sortKey < right.sortKey ? 1 : left.sortKey > right.sortKey ? -1 : 0));
    // Only records no older than every partition's unread rest are in their final order (a locator partition may
    // hold several items of one order under the same key: the rest of that order is the same order).
    const cutoffs = reads.flatMap((read) => (read.lastRead === null ? [] : [read.lastRead]));
    const cutoff = cutoffs.sort().at(-1) ?? null;
    const emitted: Candidate[] = [];
    const seen = new Set<string>();
    for (const candidate of candidates) {
      if (emitted.length >= page.limit || (cutoff !== null && candidate.sortKey < cutoff)) break;
      if (seen.has(candidate.orderId)) continue;
      seen.add(candidate.orderId);
      emitted.push(candidate);
    }
    const boundary = emitted.length >= page.limit ? (emitted.at(-1)?.sortKey ?? null) : cutoff;
    const matched = new Set(candidates);
    const next: Record<string, string> = {};
    reads.forEach((read, index) => {
      const wasDone = positions[`s${index}`] === DONE;
      const left = read.candidates.some(
        (candidate) => matched.has(candidate) && !seen.has(candidate.orderId),
      );
      next[`s${index}`] = wasDone || (read.lastRead === null && !left) || boundary === null ? DONE : boundary;
    });
    const more = Object.values(next).some((position) => position !== DONE);
    return {
      items: emitted.flatMap((candidate) => (candidate.order === null ? [] : [candidate.order])),
      nextCursor: more ? encodeCursor(next) : null,
    };
  }

  private async read(
    source: Source,
    index: number,
    below: string | null,
    query: OrderListQuery,
    limit: number,
  ): Promise<SourceRead> {
    const filter = source.kind === 'markers' ? markerFilter(query) : {};
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        ...(source.indexName === null ? {} : { IndexName: source.indexName }),
        KeyConditionExpression: below === null ? '#pk = :pk' : '#pk = :pk AND #sk < :below',
        ...filter,
        ExpressionAttributeNames: {
          '#pk': source.pkName,
          ...(below === null ? {} : { '#sk': source.skName }),
          ...filter.ExpressionAttributeNames,
        },
        ExpressionAttributeValues: {
          ':pk': source.pk,
          ...(below === null ? {} : { ':below': below }),
          ...filter.ExpressionAttributeValues,
        },
        ...(source.kind === 'lookup' ? { ProjectionExpression: `orderId, ${source.skName}` } : {}),
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    const candidates = (result.Items ?? []).map(
      (record): Candidate => ({
        sortKey: String(record[source.skName]),
        source: index,
        orderId: String(record.orderId),
        order: source.kind === 'markers' ? orderFromItem(record) : null,
      }),
    );
    const last = result.LastEvaluatedKey?.[source.skName];
    return { candidates, lastRead: last === undefined ? null : String(last) };
  }

  /** The markers of the orders lookup records name, 100 per BatchGetItem; a missing one stays null. */
  private async hydrate(candidates: Candidate[]): Promise<void> {
    const wanted = [...new Set(candidates.filter((c) => c.order === null).map((c) => c.orderId))];
    const found = new Map<string, OrderRecord>();
    for (let start = 0; start < wanted.length; start += 100) {
      let keys: Record<string, unknown>[] = wanted
        .slice(start, start + 100)
        .map((orderId) => ({ pk: orderPk(orderId), sk: ORDER_SK }));
      for (let attempt = 0; keys.length > 0; attempt += 1) {
        if (attempt > 10) throw new Error('DynamoDB kept keys unprocessed');
        if (attempt > 0) await sleep(Math.min(1_000, 25 * 2 ** attempt));
        const result = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const order = orderFromItem(item);
          found.set(order.orderId, order);
        }
        keys = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    for (const candidate of candidates)
      if (candidate.order === null) candidate.order = found.get(candidate.orderId) ?? null;
  }
}
