import { type DsaPrefillDocument, dsaPrefill } from '../domain/dsa-statements';
import { UnprocessableError } from '../domain/errors';
import type { OrderRecord } from '../domain/records';
import {
  growingFines,
  InvalidStatisticsFilterError,
  type Statistics,
  type StatisticsFilter,
  statisticsFromCells,
  validateFilter,
} from '../domain/statistics';
import {
  type CounterCell,
  mergeCells,
  type OrderSnapshot,
  orderContribution,
} from '../domain/statistics-counters';
import {
  type AuthorityReport,
  authorityReportCsv,
  buildAuthorityReport,
  yearFilter,
} from '../exports/authority-report';
import { ordersCsvStream } from '../exports/orders-csv';
import type { Deps } from './deps';

/**
 * Statistics and exports (issue 10 §1–2), recomputed from the orders of the period: the `byAgency` index bounds the
 * read to the orders created in the period (plus a margin for late service), never the whole table.
 */

/** Operators (the `takedown/admin` scope) see every agency; an agency sees its own orders only. */
export type Viewer = { operator: true } | { operator: false; agencyId: string };

export type ReportDeps = Pick<Deps, 'orders' | 'reports' | 'clock'> & {
  /** Every agency id (the values of AGENCY_CLIENTS): whose index partitions an operator's report reads. */
  agencyIds: readonly string[];
  /** The most orders one report reads (default `MAX_ORDERS_PER_REPORT`): a larger period is refused (422). */
  maxOrdersPerReport?: number;
};

/** About 2.5 RCU and two queries per order: 10,000 orders fit a 29 s API call with 16 reads in flight. */
export const MAX_ORDERS_PER_REPORT = 10_000;
const PARALLEL_ORDER_READS = 16;

const DAY_MS = 86_400_000;
/** An order counts on the day it was served; one served more than this after its creation is not found. */
export const SERVICE_LOOKBACK_DAYS = 7;
/** A DSA statement counts on the day of the decision; decisions taken this long after the order are found. */
export const DECISION_LOOKBACK_DAYS = 90;
/** Time zones run from UTC−12 to UTC+14: the UTC window of a zone's days is widened by both. */
const ZONE_MARGIN_MS = 14 * 3_600_000;

const dayStart = (day: string): number => Date.parse(`${day}T00:00:00Z`);

/** The creation instants that can hold an order served (or decided) on `from`..`to` in any zone. */
export function creationWindow(
  from: string,
  to: string,
  lookbackDays: number,
): { fromIso: string; toIso: string } {
  return {
    fromIso: new Date(dayStart(from) - ZONE_MARGIN_MS - lookbackDays * DAY_MS).toISOString(),
    toIso: new Date(dayStart(to) + DAY_MS + ZONE_MARGIN_MS).toISOString(),
  };
}

function agenciesOf(deps: ReportDeps, viewer: Viewer, wanted: string | undefined): string[] {
  if (!viewer.operator) return [viewer.agencyId];
  const all = [...new Set(deps.agencyIds)].sort();
  return wanted === undefined ? all : all.filter((agencyId) => agencyId === wanted);
}

/** The order markers of the viewer's agencies created in the window, filtered by platform and category. */
async function* ordersIn(
  deps: ReportDeps,
  viewer: Viewer,
  window: { fromIso: string; toIso: string },
  filter: { agencyId?: string; platformId?: string; category?: string },
): AsyncIterable<OrderRecord> {
  const limit = deps.maxOrdersPerReport ?? MAX_ORDERS_PER_REPORT;
  let read = 0;
  for (const agencyId of agenciesOf(deps, viewer, filter.agencyId)) {
    for await (const order of deps.reports.ordersCreatedBetween(agencyId, window.fromIso, window.toIso)) {
      read += 1;
      if (read > limit) {
        const message = `the period holds more than ${limit} orders: ask for a shorter one`;
        throw new UnprocessableError(message, [{ field: 'query', message }]);
      }
      if (filter.platformId !== undefined && order.platformId !== filter.platformId) continue;
      if (filter.category !== undefined && order.category !== filter.category) continue;
      yield order;
    }
  }
}

/** Each order with what `read` gives for it, `PARALLEL_ORDER_READS` orders at a time, in the source's order. */
async function* withReads<T>(
  orders: AsyncIterable<OrderRecord>,
  read: (order: OrderRecord) => Promise<T>,
): AsyncIterable<{ order: OrderRecord; value: T }> {
  let batch: OrderRecord[] = [];
  const flush = async () => {
    const values = await Promise.all(batch.map(read));
    const done = batch.map((order, index) => ({ order, value: values[index] as T }));
    batch = [];
    return done;
  };
  for await (const order of orders) {
    batch.push(order);
    if (batch.length === PARALLEL_ORDER_READS) yield* await flush();
  }
  if (batch.length > 0) yield* await flush();
}

function checkedFilter(filter: StatisticsFilter): void {
  try {
    validateFilter(filter);
  } catch (error) {
    if (error instanceof InvalidStatisticsFilterError)
      throw new UnprocessableError(error.message, [{ field: 'query', message: error.message }]);
    throw error;
  }
}

/**
 * `GET /v1/statistics`: each order of the window is read with its items and delivery attempts, summed into
 * counter cells one at a time (memory holds the cells and the open orders at ST2, not the orders).
 */
export async function getStatistics(
  deps: ReportDeps,
  viewer: Viewer,
  requested: StatisticsFilter,
): Promise<Statistics> {
  const filter: StatisticsFilter = viewer.operator ? requested : { ...requested, agencyId: viewer.agencyId };
  checkedFilter(filter);
  const now = deps.clock.now();
  const cells = new Map<string, CounterCell>();
  const growing: OrderSnapshot[] = [];
  const window = creationWindow(filter.from, filter.to, SERVICE_LOOKBACK_DAYS);
  const snapshots = withReads(ordersIn(deps, viewer, window, filter), (order) =>
    Promise.all([deps.orders.allItems(order.orderId), deps.orders.listDeliveries(order.orderId, 1000)]),
  );
  for await (const { order, value } of snapshots) {
    const [items, deliveries] = value;
    const snapshot = { order, items, deliveries };
    mergeCells(cells, orderContribution(snapshot, [filter.zone]));
    if (order.finalizedAt === null && order.st2At !== null) growing.push(snapshot);
  }
  return statisticsFromCells(cells.values(), growingFines(growing, filter, now), filter, now);
}

/** `GET /v1/exports/orders.csv`: one row per item of the orders created `from`..`to` (UTC days). */
export async function exportOrdersCsv(
  deps: ReportDeps,
  viewer: Viewer,
  period: { from: string; to: string; platformId?: string },
): Promise<Buffer> {
  checkedFilter({ ...period, zone: 'UTC' });
  const window = {
    fromIso: new Date(dayStart(period.from)).toISOString(),
    toIso: new Date(dayStart(period.to) + DAY_MS - 1).toISOString(),
  };
  const orders = ordersIn(deps, viewer, window, { platformId: period.platformId });
  async function* source() {
    for await (const { order, value } of withReads(orders, (order) => deps.orders.allItems(order.orderId)))
      yield { order, items: value };
  }
  const chunks: Buffer[] = [];
  for await (const chunk of ordersCsvStream(source(), deps.clock.now())) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** `GET /v1/exports/dsa-statements`: the prefill of the decisions taken `from`..`to` (UTC days). */
export async function exportDsaStatements(
  deps: ReportDeps,
  viewer: Viewer,
  period: { from: string; to: string; platformId?: string },
): Promise<DsaPrefillDocument> {
  checkedFilter({ ...period, zone: 'UTC' });
  const window = creationWindow(period.from, period.to, DECISION_LOOKBACK_DAYS);
  const orders: { order: OrderRecord; items: Awaited<ReturnType<Deps['orders']['allItems']>> }[] = [];
  const read = withReads(ordersIn(deps, viewer, window, { platformId: period.platformId }), (order) =>
    deps.orders.allItems(order.orderId),
  );
  for await (const { order, value } of read) orders.push({ order, items: value });
  return dsaPrefill({ orders, from: period.from, to: period.to, now: deps.clock.now() });
}

/** `GET /v1/exports/authority-report?year=`: the TCO Art. 8 counts of a year (days counted in WIB). */
export async function exportAuthorityReport(
  deps: ReportDeps,
  viewer: Viewer,
  input: { year: number; format: 'json' | 'csv' },
): Promise<{ report: AuthorityReport; csv: string | null }> {
  const statistics = await getStatistics(deps, viewer, yearFilter(input.year));
  const report = buildAuthorityReport({
    statistics,
    year: input.year,
    agencyId: viewer.operator ? null : viewer.agencyId,
  });
  return { report, csv: input.format === 'csv' ? authorityReportCsv(report) : null };
}
