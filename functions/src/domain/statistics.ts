import { fineIndexInputsOf, fineModelOf, itemFine } from './fine-formula';
import { ITEM_OUTCOMES, ITEM_STATUSES, ORDER_STATUSES } from './order-rules';
import {
  assertTimeZone,
  C,
  type CounterCell,
  type Counters,
  dayIn,
  fineStillOpen,
  mergeCells,
  type OrderSnapshot,
  orderContribution,
  servedAtOf,
} from './statistics-counters';
import { SKETCH_RELATIVE_ACCURACY, sketchQuantile } from './statistics-sketch';

/**
 * `GET /v1/statistics` (issue 10 §1): what the ministry asks every week, per platform and in total. Computed from
 * counter cells (`statistics-counters.ts`) plus the fines still growing in open orders. `statisticsFromOrders`
 * is the full recompute (the same numbers straight from the records).
 */

export interface StatisticsFilter {
  /** Inclusive `YYYY-MM-DD` days of `servedAt` in `zone`. */
  from: string;
  to: string;
  /** IANA time zone the days are counted in: `UTC` (default) or e.g. `Asia/Jakarta` (WIB). */
  zone: string;
  platformId?: string;
  /** Forced to the caller's own agency for agencies; free for operators. */
  agencyId?: string;
  category?: string;
}

export class InvalidStatisticsFilterError extends Error {
  override name = 'InvalidStatisticsFilterError';
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function validateFilter(filter: StatisticsFilter, maxDays = 366): void {
  for (const [name, value] of [
    ['from', filter.from],
    ['to', filter.to],
  ] as const) {
    if (
      !DATE.test(value) ||
      Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ||
      new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value
    )
      throw new InvalidStatisticsFilterError(`${name} must be a date YYYY-MM-DD`);
  }
  if (filter.from > filter.to) throw new InvalidStatisticsFilterError('from must not be after to');
  const days =
    (Date.parse(`${filter.to}T00:00:00Z`) - Date.parse(`${filter.from}T00:00:00Z`)) / 86_400_000 + 1;
  if (days > maxDays) throw new InvalidStatisticsFilterError(`at most ${maxDays} days per query`);
  try {
    assertTimeZone(filter.zone);
  } catch {
    throw new InvalidStatisticsFilterError(`unknown time zone ${filter.zone}`);
  }
}

/**
 * Which cells to read for a filter: whole months as month cells, the partial months at either end as day cells.
 * A year costs 12 month partitions of (platform × agency × category) cells instead of 365 day partitions.
 */
export function counterReadPlan(from: string, to: string): { months: string[]; days: string[] } {
  const months: string[] = [];
  const days: string[] = [];
  let cursor = new Date(`${from}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  while (cursor <= end) {
    const day = cursor.toISOString().slice(0, 10);
    const monthStart = day.endsWith('-01');
    const nextMonth = new Date(Date.UTC(cursor.getUTCFullYear(), cursor.getUTCMonth() + 1, 1));
    const monthEnd = new Date(nextMonth.getTime() - 86_400_000);
    if (monthStart && monthEnd <= end) {
      months.push(day.slice(0, 7));
      cursor = nextMonth;
    } else {
      days.push(day);
      cursor = new Date(cursor.getTime() + 86_400_000);
    }
  }
  return { months, days };
}

export interface FineTotals {
  currency: string;
  /** Everything accrued so far, final or not. */
  accrued: number;
  /** The part that stopped growing (items answered or withdrawn, or orders final). Not "paid". */
  final: number;
  /** The part that may still grow (pending or disputed items of open orders), as of `generatedAt`. */
  stillGrowing: number;
}

export interface DurationSummary {
  count: number;
  p50: number | null;
  p90: number | null;
  max: number | null;
}

export interface StatisticsBlock {
  orders: number;
  items: number;
  ordersByStatus: Record<string, number>;
  itemsByStatus: Record<string, number>;
  itemsByOutcome: Record<string, number>;
  /** Taken down (removed, restricted, account suspended) by the deadline in force, after it, or never. */
  removed: { onTime: number; late: number; never: number };
  /** onTime / (onTime + late + never); null with no such items. */
  onTimeRate: number | null;
  /** Served → answer, over resolved items, in seconds. */
  timeToComplySeconds: DurationSummary;
  stagesReached: { st1: number; st2: number; st3: number };
  fines: FineTotals[];
  contested: {
    items: number;
    upheld: number;
    withdrawn: number;
    awaitingDecision: number;
    reasons: Record<string, number>;
  };
  clarifications: { asked: number; answered: number; orders: number };
  /** Over webhook attempts answered with 2xx in the period, in milliseconds. */
  deliveryLatencyMs: { attempts: number; median: number | null };
}

export interface Statistics {
  filter: StatisticsFilter;
  generatedAt: string;
  /** p50 / p90 / max and the median latency come from log buckets: each is within this fraction of the truth. */
  quantileRelativeAccuracy: number;
  total: StatisticsBlock;
  platforms: Record<string, StatisticsBlock>;
}

const get = (counters: Counters, name: string) => counters[name] ?? 0;

function buckets(counters: Counters, prefix: string): Map<number, number> {
  const result = new Map<number, number>();
  for (const [name, value] of Object.entries(counters)) {
    if (name.startsWith(prefix) && value > 0) result.set(Number(name.slice(prefix.length)), value);
  }
  return result;
}

const rounded = (value: number | null, digits: number) =>
  value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;

function byPrefix(counters: Counters, prefix: string, names: readonly string[]): Record<string, number> {
  return Object.fromEntries(names.map((name) => [name, get(counters, `${prefix}${name}`)]));
}

function block(counters: Counters, growing: Map<string, number>): StatisticsBlock {
  const onTime = get(counters, C.removedOnTime);
  const late = get(counters, C.removedLate);
  const never = get(counters, C.neverRemoved);
  const due = onTime + late + never;
  const comply = buckets(counters, C.complyBucket);
  const latency = buckets(counters, C.latencyBucket);
  const seconds = (bucket: number | null) => rounded(bucket === null ? null : bucket / 1000, 0);
  const currencies = new Set<string>([...growing.keys()]);
  for (const name of Object.keys(counters)) {
    if (name.startsWith(C.fineFinal)) currencies.add(name.slice(C.fineFinal.length));
    if (name.startsWith(C.currency) && get(counters, name) > 0) currencies.add(name.slice(C.currency.length));
  }
  const contested = get(counters, C.contested);
  const upheld = get(counters, C.contestUpheld);
  const withdrawn = get(counters, C.contestWithdrawn);
  const reasons: Record<string, number> = {};
  for (const [name, value] of Object.entries(counters))
    if (name.startsWith(C.rejectionReason) && value > 0)
      reasons[name.slice(C.rejectionReason.length)] = value;
  return {
    orders: get(counters, C.orders),
    items: get(counters, C.items),
    ordersByStatus: byPrefix(counters, C.orderStatus, ORDER_STATUSES),
    itemsByStatus: byPrefix(counters, C.itemStatus, ITEM_STATUSES),
    itemsByOutcome: byPrefix(counters, C.outcome, [...ITEM_OUTCOMES, 'none']),
    removed: { onTime, late, never },
    onTimeRate: due === 0 ? null : rounded(onTime / due, 4),
    timeToComplySeconds: {
      count: get(counters, C.complyCount),
      p50: seconds(sketchQuantile(comply, 0.5)),
      p90: seconds(sketchQuantile(comply, 0.9)),
      max: seconds(sketchQuantile(comply, 1)),
    },
    stagesReached: {
      st1: get(counters, C.reachedSt1),
      st2: get(counters, C.reachedSt2),
      st3: get(counters, C.reachedSt3),
    },
    fines: [...currencies].sort().map((currency) => {
      const final = get(counters, `${C.fineFinal}${currency}`);
      const stillGrowing = growing.get(currency) ?? 0;
      return { currency, accrued: final + stillGrowing, final, stillGrowing };
    }),
    contested: {
      items: contested,
      upheld,
      withdrawn,
      awaitingDecision: contested - upheld - withdrawn,
      reasons,
    },
    clarifications: {
      asked: get(counters, C.clarificationsAsked),
      answered: get(counters, C.clarificationsAnswered),
      orders: get(counters, C.ordersWithClarifications),
    },
    deliveryLatencyMs: {
      attempts: get(counters, C.deliveriesAnswered),
      median: rounded(sketchQuantile(latency, 0.5), 0),
    },
  };
}

const matchesDims = (
  cell: { platformId: string; agencyId: string; category: string },
  filter: StatisticsFilter,
) =>
  (filter.platformId === undefined || cell.platformId === filter.platformId) &&
  (filter.agencyId === undefined || cell.agencyId === filter.agencyId) &&
  (filter.category === undefined || cell.category === filter.category);

/** Whether a cell belongs to the filter (zone, the read plan's months and days, dimensions). */
export function cellMatches(
  cell: CounterCell,
  filter: StatisticsFilter,
  plan = counterReadPlan(filter.from, filter.to),
): boolean {
  if (cell.zone !== filter.zone || !matchesDims(cell, filter)) return false;
  return cell.period === 'month' ? plan.months.includes(cell.date) : plan.days.includes(cell.date);
}

/** Fines still growing in the open orders that fall in the filter, by platform and currency, as of `now`. */
export function growingFines(
  openOrders: Iterable<OrderSnapshot>,
  filter: StatisticsFilter,
  now: Date,
): Map<string, Map<string, number>> {
  const result = new Map<string, Map<string, number>>();
  for (const { order, items } of openOrders) {
    const servedAt = servedAtOf(order);
    if (servedAt === null || order.st2At === null || !matchesDims(order, filter)) continue;
    const day = dayIn(filter.zone, servedAt);
    if (day < filter.from || day > filter.to) continue;
    const currency = fineModelOf(order.policy).currency;
    let amount = 0;
    for (const item of items)
      if (fineStillOpen(order, item))
        amount += itemFine(order, item, now, fineIndexInputsOf(order, item)).amount;
    if (amount === 0) continue;
    const platform = result.get(order.platformId) ?? new Map<string, number>();
    platform.set(currency, (platform.get(currency) ?? 0) + amount);
    result.set(order.platformId, platform);
  }
  return result;
}

/**
 * The statistics from counter cells (already read for the filter's zone, months and days; others are ignored)
 * and the still-growing fines of the open orders (`growingFines`).
 */
export function statisticsFromCells(
  cells: Iterable<CounterCell>,
  growing: Map<string, Map<string, number>>,
  filter: StatisticsFilter,
  now: Date,
): Statistics {
  const plan = counterReadPlan(filter.from, filter.to);
  const perPlatform = new Map<string, Counters>();
  const total: Counters = {};
  for (const cell of cells) {
    if (!cellMatches(cell, filter, plan)) continue;
    const counters = perPlatform.get(cell.platformId) ?? {};
    for (const [name, value] of Object.entries(cell.counters)) {
      counters[name] = (counters[name] ?? 0) + value;
      total[name] = (total[name] ?? 0) + value;
    }
    perPlatform.set(cell.platformId, counters);
  }
  const totalGrowing = new Map<string, number>();
  for (const [platformId, byCurrency] of growing) {
    if (!perPlatform.has(platformId)) perPlatform.set(platformId, {});
    for (const [currency, amount] of byCurrency)
      totalGrowing.set(currency, (totalGrowing.get(currency) ?? 0) + amount);
  }
  const platforms: Record<string, StatisticsBlock> = {};
  for (const platformId of [...perPlatform.keys()].sort())
    platforms[platformId] = block(perPlatform.get(platformId) ?? {}, growing.get(platformId) ?? new Map());
  return {
    filter,
    generatedAt: now.toISOString(),
    quantileRelativeAccuracy: Math.round(SKETCH_RELATIVE_ACCURACY * 10_000) / 10_000,
    total: block(total, totalGrowing),
    platforms,
  };
}

/** The full recompute: the same statistics straight from the order records (and their delivery attempts). */
export function statisticsFromOrders(
  snapshots: readonly OrderSnapshot[],
  filter: StatisticsFilter,
  now: Date,
): Statistics {
  validateFilter(filter);
  const cells = new Map<string, CounterCell>();
  for (const snapshot of snapshots) mergeCells(cells, orderContribution(snapshot, [filter.zone]));
  return statisticsFromCells(cells.values(), growingFines(snapshots, filter, now), filter, now);
}
