import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ApiClient, CliError, problemText } from './connection';
import { duration, percent, table } from './output';
import type { Io } from './submit';

/** `status`, `watch`, `list`, `stats` and `export`: thin readers of the API, human tables or `--json`. */

export const FINAL_STATUSES = new Set(['complied', 'complied_late', 'withdrawn', 'referred_for_blocking']);

interface OrderView {
  id: string;
  reference: string;
  agencyId: string;
  platformId: string;
  category: string;
  status: string;
  stage: string;
  createdAt: string;
  deadlineAt: string | null;
  itemCounts: { total: number; pending: number; resolved: number; disputed: number; withdrawn: number };
  fine?: { currency: string; accrued: number };
}

const write = (io: Io, text: string) => io.stdout.write(`${text}\n`);

async function getOrder(client: ApiClient, id: string): Promise<OrderView> {
  const response = await client.call<OrderView>('GET', `/v1/takedown-requests/${encodeURIComponent(id)}`);
  if (response.status === 404) throw new CliError(`no order ${id}`, 1);
  if (response.status !== 200)
    throw new CliError(`order ${id}: HTTP ${response.status} ${problemText(response.body)}`, 2);
  return response.body;
}

const counts = (order: OrderView) =>
  `${order.itemCounts.resolved}/${order.itemCounts.total} resolved, ${order.itemCounts.pending} pending, ${order.itemCounts.disputed} disputed, ${order.itemCounts.withdrawn} withdrawn`;

export async function status(client: ApiClient, id: string, json: boolean, io: Io): Promise<void> {
  const order = await getOrder(client, id);
  if (json) return void write(io, JSON.stringify(order, null, 2));
  write(
    io,
    table(
      ['field', 'value'],
      [
        ['order', order.id],
        ['reference', order.reference],
        ['platform', order.platformId],
        ['category', order.category],
        ['status', order.status],
        ['stage', order.stage],
        ['deadline', order.deadlineAt],
        ['items', counts(order)],
        ['fine', order.fine ? `${order.fine.currency} ${order.fine.accrued}` : null],
      ],
    ),
  );
}

/** Prints a line each time the status, stage or counts change, until the order is final (or the timeout). */
export async function watch(
  client: ApiClient,
  id: string,
  options: { intervalMs: number; timeoutMs: number; json: boolean },
  io: Io,
): Promise<void> {
  const until = Date.now() + options.timeoutMs;
  let last = '';
  for (;;) {
    const order = await getOrder(client, id);
    const key = JSON.stringify([order.status, order.stage, order.itemCounts, order.deadlineAt]);
    if (key !== last) {
      last = key;
      const at = new Date().toISOString();
      write(
        io,
        options.json
          ? JSON.stringify({
              at,
              id: order.id,
              status: order.status,
              stage: order.stage,
              deadlineAt: order.deadlineAt,
              itemCounts: order.itemCounts,
            })
          : `${at.slice(11, 19)}  ${order.status}  ${order.stage}  ${counts(order)}  deadline ${order.deadlineAt ?? '—'}`,
      );
    }
    if (FINAL_STATUSES.has(order.status)) return;
    if (Date.now() > until)
      throw new CliError(
        `order ${id} is not final after ${options.timeoutMs / 1000} s (status ${order.status})`,
        3,
      );
    await new Promise((done) => setTimeout(done, options.intervalMs));
  }
}

export async function list(
  client: ApiClient,
  options: { status?: string; platform?: string; limit: number; all: boolean; json: boolean },
  io: Io,
): Promise<void> {
  const orders: OrderView[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: String(Math.min(100, options.limit)) });
    if (options.status) query.set('status', options.status);
    if (options.platform) query.set('platformId', options.platform);
    if (cursor) query.set('cursor', cursor);
    const page = await client.call<{ items: OrderView[]; nextCursor: string | null }>(
      'GET',
      `/v1/takedown-requests?${query}`,
    );
    if (page.status !== 200)
      throw new CliError(
        `listing orders: HTTP ${page.status} ${problemText(page.body)}`,
        page.status === 422 ? 1 : 2,
      );
    orders.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor && (options.all || orders.length < options.limit));
  const shown = options.all ? orders : orders.slice(0, options.limit);
  if (options.json)
    return void write(io, JSON.stringify({ items: shown, nextCursor: options.all ? null : cursor }, null, 2));
  write(
    io,
    table(
      ['id', 'reference', 'platform', 'status', 'stage', 'items', 'created'],
      shown.map((order) => [
        order.id,
        order.reference,
        order.platformId,
        order.status,
        order.stage,
        order.itemCounts.total,
        order.createdAt,
      ]),
    ),
  );
}

interface StatisticsBlock {
  orders: number;
  items: number;
  removed: { onTime: number; late: number; never: number };
  onTimeRate: number | null;
  timeToComplySeconds: { count: number; p50: number | null; p90: number | null; max: number | null };
  stagesReached: { st1: number; st2: number; st3: number };
  fines: { currency: string; accrued: number; final: number; stillGrowing: number }[];
  contested: { items: number; upheld: number; withdrawn: number };
  clarifications: { asked: number };
  deliveryLatencyMs: { median: number | null };
}

const fines = (block: StatisticsBlock) =>
  block.fines
    .map(
      (fine) =>
        `${fine.currency} ${fine.accrued.toLocaleString('en-US')} (final ${fine.final.toLocaleString('en-US')})`,
    )
    .join('; ') || '0';

/** `GET /v1/statistics` as one row per platform and a total row. */
export async function stats(
  client: ApiClient,
  options: {
    from: string;
    to: string;
    tz?: string;
    platform?: string;
    agency?: string;
    category?: string;
    json: boolean;
  },
  io: Io,
): Promise<void> {
  const query = new URLSearchParams({ from: options.from, to: options.to });
  for (const [name, value] of [
    ['tz', options.tz],
    ['platformId', options.platform],
    ['agencyId', options.agency],
    ['category', options.category],
  ] as const)
    if (value) query.set(name, value);
  const response = await client.call<{ total: StatisticsBlock; platforms: Record<string, StatisticsBlock> }>(
    'GET',
    `/v1/statistics?${query}`,
  );
  if (response.status !== 200)
    throw new CliError(
      `statistics: HTTP ${response.status} ${problemText(response.body)}`,
      response.status === 422 || response.status === 400 ? 1 : 2,
    );
  if (options.json) return void write(io, JSON.stringify(response.body, null, 2));
  const row = (name: string, block: StatisticsBlock) => [
    name,
    block.orders,
    block.items,
    block.removed.onTime,
    block.removed.late,
    block.removed.never,
    percent(block.onTimeRate),
    duration(block.timeToComplySeconds.p50),
    duration(block.timeToComplySeconds.p90),
    duration(block.timeToComplySeconds.max),
    `${block.stagesReached.st1}/${block.stagesReached.st2}/${block.stagesReached.st3}`,
    `${block.contested.items} (${block.contested.upheld} upheld, ${block.contested.withdrawn} withdrawn)`,
    block.clarifications.asked,
    block.deliveryLatencyMs.median === null ? null : `${block.deliveryLatencyMs.median} ms`,
    fines(block),
  ];
  const rows = [
    ...Object.entries(response.body.platforms).map(([name, block]) => row(name, block)),
    row('total', response.body.total),
  ];
  write(io, `statistics ${options.from} .. ${options.to}${options.tz ? ` (${options.tz})` : ' (UTC)'}`);
  write(
    io,
    table(
      [
        'platform',
        'orders',
        'items',
        'on time',
        'late',
        'never',
        'on-time rate',
        'p50',
        'p90',
        'max',
        'ST1/ST2/ST3',
        'contested',
        'clarifications',
        'latency',
        'fines',
      ],
      rows,
    ),
  );
}

const EXPORTS = {
  orders: (from: string, to: string) => `/v1/exports/orders.csv?from=${from}&to=${to}`,
  dsa: (from: string, to: string) => `/v1/exports/dsa-statements?from=${from}&to=${to}`,
} as const;

/** Saves an export to a file (following the 303 a large export answers with). */
export async function exportTo(
  client: ApiClient,
  kind: string,
  options: { from: string; to: string; output: string },
  io: Io,
): Promise<void> {
  const path = EXPORTS[kind as keyof typeof EXPORTS];
  if (!path) throw new CliError(`unknown export ${kind}: orders or dsa`, 1);
  const response = await client.download(path(options.from, options.to));
  if (!response.ok || response.body === null) {
    const text = await response.text().catch(() => '');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // keep the text
    }
    throw new CliError(
      `export ${kind}: HTTP ${response.status} ${problemText(body)}`,
      response.status === 404 || response.status === 422 ? 1 : 2,
    );
  }
  let bytes = 0;
  const counted = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
  counted.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  await pipeline(counted, createWriteStream(options.output));
  io.stderr.write(`wrote ${bytes} bytes to ${options.output}\n`);
}
