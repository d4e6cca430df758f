import { fineIndexInputsOf, fineModelOf, itemFine } from './fine-formula';
import type { ItemOutcome } from './order-rules';
import type { DeliveryAttempt, ItemRecord, OrderRecord } from './records';
import { sketchBucket } from './statistics-sketch';

/**
 * Statistics as additive counters (issue 10 §1). Every number of the statistics is a sum over orders, items and
 * delivery attempts of a per-record contribution, kept in cells by (time zone, day or month, platform, agency,
 * category). A change of an order adds `contribution(after) − contribution(before)` to its cells: the writer
 * puts these deltas (DynamoDB `ADD`) in the same transaction as the change, and a full recompute from the orders
 * sums the contributions of every order. Both give the same cells (a property test checks it).
 *
 * Orders count on the day they were served (`servedAt`, or `notifiedAt` for orders stored before service was
 * recorded); orders never served are not in the statistics. Delivery attempts count on the day they were made.
 * Durations go into log buckets (`statistics-sketch.ts`) so that p50 / p90 / max stay additive.
 * Fines that can still grow (pending or disputed items of orders not final) are not counters: they are computed
 * at query time from the open orders (`statistics.ts`).
 */

/** The order marker as statistics read it (older markers are read with the defaults of `orderFromItem`). */
export type StatsOrder = OrderRecord;

export interface OrderSnapshot {
  order: StatsOrder;
  items: readonly ItemRecord[];
  deliveries?: readonly DeliveryAttempt[];
}

export type Counters = Record<string, number>;
export type CellPeriod = 'day' | 'month';

export interface CounterCell {
  zone: string;
  period: CellPeriod;
  /** `YYYY-MM-DD` for a day cell, `YYYY-MM` for a month cell, in `zone`. */
  date: string;
  platformId: string;
  agencyId: string;
  category: string;
  counters: Counters;
}

/** Counter names (the keys of `Counters`); bucket counters are `<prefix><bucket>`. */
export const C = {
  orders: 'orders',
  items: 'items',
  orderStatus: 'orderStatus.',
  itemStatus: 'itemStatus.',
  outcome: 'outcome.',
  removedOnTime: 'removedOnTime',
  removedLate: 'removedLate',
  neverRemoved: 'neverRemoved',
  reachedSt1: 'reached.st1',
  reachedSt2: 'reached.st2',
  reachedSt3: 'reached.st3',
  fineFinal: 'fineFinal.',
  /** Orders per fine currency, so that a currency with no fine yet still shows (as 0). */
  currency: 'currency.',
  contested: 'contested',
  contestUpheld: 'contestUpheld',
  contestWithdrawn: 'contestWithdrawn',
  rejectionReason: 'rejectionReason.',
  clarificationsAsked: 'clarificationsAsked',
  clarificationsAnswered: 'clarificationsAnswered',
  ordersWithClarifications: 'ordersWithClarifications',
  complyCount: 'comply.count',
  complyBucket: 'comply.b',
  deliveriesAnswered: 'delivery.count',
  latencyBucket: 'delivery.b',
} as const;

const ACTED: readonly ItemOutcome[] = ['removed', 'restricted', 'account_suspended'];

export function assertTimeZone(zone: string): void {
  // Throws RangeError for a zone the runtime does not know.
  new Intl.DateTimeFormat('en-CA', { timeZone: zone });
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar day (`YYYY-MM-DD`) of an instant in a time zone. */
export function dayIn(zone: string, iso: string): string {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formatters.set(zone, formatter);
  }
  return formatter.format(new Date(iso));
}

export const servedAtOf = (order: StatsOrder): string | null => order.servedAt ?? order.notifiedAt ?? null;
export const isFinal = (order: OrderRecord): boolean => order.finalizedAt !== null;

function add(counters: Counters, name: string, amount = 1): void {
  if (amount !== 0) counters[name] = (counters[name] ?? 0) + amount;
}

/** What the marker alone contributes (counted once per order). */
function orderCounters(order: StatsOrder, counters: Counters): void {
  add(counters, C.orders);
  add(counters, `${C.orderStatus}${order.status}`);
  add(counters, `${C.currency}${fineModelOf(order.policy).currency}`);
  const stages = new Set(order.stageHistory.map((entry) => entry.stage));
  if (stages.has('st1')) add(counters, C.reachedSt1);
  if (stages.has('st2')) add(counters, C.reachedSt2);
  if (stages.has('st3')) add(counters, C.reachedSt3);
  const clarifications = [
    ...(order.clarifications ?? []),
    ...(order.clarification ? [order.clarification] : []),
  ];
  add(counters, C.clarificationsAsked, clarifications.length);
  add(counters, C.clarificationsAnswered, clarifications.filter((entry) => entry.answeredAt !== null).length);
  if (clarifications.length > 0) add(counters, C.ordersWithClarifications);
}

/** Whether an item's fine can still change: pending or disputed in an order that is not final. */
export const fineStillOpen = (order: OrderRecord, item: ItemRecord): boolean =>
  !isFinal(order) && (item.status === 'pending' || item.status === 'disputed');

function itemCounters(order: StatsOrder, item: ItemRecord, counters: Counters): void {
  add(counters, C.items);
  add(counters, `${C.itemStatus}${item.status}`);
  add(counters, `${C.outcome}${item.outcome ?? 'none'}`);
  const acted = item.outcome !== null && ACTED.includes(item.outcome) && item.status === 'resolved';
  if (acted && item.onTime === true) add(counters, C.removedOnTime);
  if (acted && item.onTime === false) add(counters, C.removedLate);
  if (isFinal(order) && (item.status === 'pending' || item.status === 'disputed'))
    add(counters, C.neverRemoved);
  const contested = item.review !== null || item.status === 'disputed' || item.outcome === 'rejected';
  if (contested) {
    add(counters, C.contested);
    if (item.review?.decision === 'uphold') add(counters, C.contestUpheld);
    if (item.review?.decision === 'withdraw') add(counters, C.contestWithdrawn);
    if (item.reason !== null) add(counters, `${C.rejectionReason}${item.reason.code}`);
  }
  const servedAt = servedAtOf(order);
  if (item.status === 'resolved' && item.answeredAt !== null && servedAt !== null) {
    const elapsed = Math.max(0, new Date(item.answeredAt).getTime() - new Date(servedAt).getTime());
    add(counters, C.complyCount);
    add(counters, `${C.complyBucket}${sketchBucket(elapsed)}`);
  }
  if (!fineStillOpen(order, item)) {
    // Not growing any more, so `now` does not matter: a final order's fines stop at `finalizedAt`.
    const at = new Date(order.finalizedAt ?? order.createdAt);
    const fine = itemFine(order, item, at, fineIndexInputsOf(order, item));
    add(counters, `${C.fineFinal}${fineModelOf(order.policy).currency}`, fine.amount);
  }
}

const cellKey = (cell: Omit<CounterCell, 'counters'>) =>
  `${cell.zone}|${cell.period}|${cell.date}|${cell.platformId}|${cell.agencyId}|${cell.category}`;

class CellSet {
  readonly cells = new Map<string, CounterCell>();
  add(zone: string, day: string, order: OrderRecord, fill: (counters: Counters) => void, sign: 1 | -1): void {
    for (const [period, date] of [
      ['day', day],
      ['month', day.slice(0, 7)],
    ] as const) {
      const identity = {
        zone,
        period,
        date,
        platformId: order.platformId,
        agencyId: order.agencyId,
        category: order.category,
      };
      const key = cellKey(identity);
      let cell = this.cells.get(key);
      if (cell === undefined) {
        cell = { ...identity, counters: {} };
        this.cells.set(key, cell);
      }
      const scratch: Counters = {};
      fill(scratch);
      for (const [name, value] of Object.entries(scratch)) add(cell.counters, name, sign * value);
    }
  }
  nonZero(): CounterCell[] {
    const result: CounterCell[] = [];
    for (const cell of this.cells.values()) {
      const counters = Object.fromEntries(Object.entries(cell.counters).filter(([, value]) => value !== 0));
      if (Object.keys(counters).length > 0) result.push({ ...cell, counters });
    }
    return result;
  }
}

function addSnapshot(set: CellSet, snapshot: OrderSnapshot, zones: readonly string[], sign: 1 | -1): void {
  const { order } = snapshot;
  const servedAt = servedAtOf(order);
  for (const zone of zones) {
    if (servedAt !== null) {
      set.add(
        zone,
        dayIn(zone, servedAt),
        order,
        (counters) => {
          orderCounters(order, counters);
          for (const item of snapshot.items) itemCounters(order, item, counters);
        },
        sign,
      );
    }
    for (const attempt of snapshot.deliveries ?? []) {
      if (attempt.httpStatus === null || attempt.httpStatus < 200 || attempt.httpStatus > 299) continue;
      set.add(
        zone,
        dayIn(zone, attempt.at),
        order,
        (counters) => {
          add(counters, C.deliveriesAnswered);
          add(counters, `${C.latencyBucket}${sketchBucket(attempt.latencyMs)}`);
        },
        sign,
      );
    }
  }
}

/** The cells one order adds to the statistics (full recompute: sum this over every order). */
export function orderContribution(snapshot: OrderSnapshot, zones: readonly string[]): CounterCell[] {
  const set = new CellSet();
  addSnapshot(set, snapshot, zones, 1);
  return set.nonZero();
}

/**
 * The counter deltas of one change of an order, to `ADD` in the transaction that writes the change.
 *
 * `before` is the order as read (null for a new order), `after` as written. Both must hold the same items: the
 * items the change writes, or every item when `markerChangeTouchesItems(before, after)` says so. `deliveries`:
 * only `after`, with the attempts this change records (attempts are append-only and count on their own day).
 */
export function statisticsDeltas(
  before: OrderSnapshot | null,
  after: OrderSnapshot,
  zones: readonly string[],
): CounterCell[] {
  const set = new CellSet();
  if (before !== null) addSnapshot(set, { order: before.order, items: before.items }, zones, -1);
  addSnapshot(set, after, zones, 1);
  return set.nonZero();
}

/**
 * Whether a marker change alters what every item contributes (so the writer must pass all items): the day the
 * order counts on, the time to comply, finality (never-removed items, final fines) and the start of ST2 (fines).
 */
export function markerChangeTouchesItems(before: StatsOrder, after: StatsOrder): boolean {
  return (
    servedAtOf(before) !== servedAtOf(after) ||
    before.finalizedAt !== after.finalizedAt ||
    before.st2At !== after.st2At ||
    before.policy !== after.policy
  );
}

/** Adds cells into a running total keyed like the table (the in-memory twin of `ADD`). */
export function mergeCells(into: Map<string, CounterCell>, cells: Iterable<CounterCell>): void {
  for (const cell of cells) {
    const key = cellKey(cell);
    const known = into.get(key) ?? { ...cell, counters: {} };
    for (const [name, value] of Object.entries(cell.counters)) add(known.counters, name, value);
    into.set(key, known);
  }
}

/** Suggested table keys for a cell: one partition per zone and month, one sort key per day (or `M`) and dims. */
export function counterRecordKey(cell: Omit<CounterCell, 'counters'>): { pk: string; sk: string } {
  const month = cell.date.slice(0, 7);
  const day = cell.period === 'day' ? cell.date.slice(8, 10) : 'M';
  return {
    pk: `STATS#${cell.zone}#${month}`,
    sk: `${day}#${cell.platformId}#${cell.agencyId}#${cell.category}`,
  };
}
