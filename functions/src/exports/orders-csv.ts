import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { fineIndexInputsOf, fineModelOf, itemFine } from '../domain/fine-formula';
import type { ItemRecord } from '../domain/records';
import { type StatsOrder, servedAtOf } from '../domain/statistics-counters';
import { boolCell, numberCell, SPREADSHEET_CSV, textCell } from './csv-cells';

/**
 * `GET /v1/exports/orders.csv?from&to` (issue 10 §2): one row per item, for spreadsheets (UTF-8 with BOM,
 * RFC 4180, CRLF). Streamed: the source yields orders one at a time (and their items page by page), and the
 * rows go out as they are made, so memory stays flat whatever the size of the export.
 */
export const ORDERS_CSV_COLUMNS = [
  'order_id',
  'reference',
  'agency_id',
  'platform_id',
  'category',
  'urgency',
  'order_status',
  'item_id',
  'kind',
  'locator',
  'item_status',
  'outcome',
  'served_at',
  'deadline_at',
  'answered_at',
  'on_time',
  'stage',
  'fine',
  'currency',
] as const;

export interface OrderWithItems {
  order: StatsOrder;
  /** Every item of the order, in any form the adapter pages them in. */
  items: Iterable<ItemRecord> | AsyncIterable<ItemRecord>;
}

/**
 * The deadline an item is judged against: its own after an uphold, else the order's first deadline (what
 * `onTime` compares with), else the current one.
 */
export function itemDeadline(order: StatsOrder, item: ItemRecord): string | null {
  return item.deadlineAt ?? order.stageHistory[0]?.deadlineAt ?? order.deadlineAt;
}

/** One row, in `ORDERS_CSV_COLUMNS` order. `stage` is the stage the item was answered at, or the order's now. */
export function orderCsvRow(order: StatsOrder, item: ItemRecord, now: Date): string[] {
  const fine = itemFine(order, item, now, fineIndexInputsOf(order, item));
  return [
    textCell(order.orderId),
    textCell(order.reference),
    textCell(order.agencyId),
    textCell(order.platformId),
    order.category,
    order.urgency,
    order.status,
    textCell(item.itemId),
    item.kind,
    textCell(item.locator),
    item.status,
    item.outcome ?? '',
    servedAtOf(order) ?? '',
    itemDeadline(order, item) ?? '',
    item.answeredAt ?? '',
    boolCell(item.onTime),
    item.answeredAtStage ?? order.stage,
    numberCell(fine.amount),
    fineModelOf(order.policy).currency,
  ];
}

/** The header, then one row per item of each order, as they come. */
export async function* ordersCsvRows(
  source: AsyncIterable<OrderWithItems> | Iterable<OrderWithItems>,
  now: Date,
) {
  yield [...ORDERS_CSV_COLUMNS] as string[];
  for await (const { order, items } of source) {
    for await (const item of items) yield orderCsvRow(order, item, now);
  }
}

/**
 * The CSV as a byte stream (BOM first), with back-pressure from the consumer down to the source. A failing
 * source destroys the stream with its error (a truncated export must never look complete).
 */
export function ordersCsvStream(
  source: AsyncIterable<OrderWithItems> | Iterable<OrderWithItems>,
  now: Date,
): Readable {
  const rows = Readable.from(ordersCsvRows(source, now));
  const csv = stringify(SPREADSHEET_CSV);
  rows.on('error', (error) => csv.destroy(error));
  return rows.pipe(csv);
}
