import {
  FINE_INDICES,
  fineIndexInputsOf,
  fineModelOf,
  type IndexSource,
  itemFine,
  type PointsBreakdown,
} from './fine-formula';
import type { FineIndex, FineIndexValues } from './fine-policy';
import type { ItemRecord, OrderRecord } from './records';

/** The formula as the audit event states it, in words anyone can recompute from the inputs beside it. */
export const POINTS_FORMULA =
  'points = content × ugc × businessScale × warning × compliance × virality × maxPoints; ' +
  'fine = min(capPerItem, points × tariffPerPoint rounded half up to a whole unit)';

/** One distinct set of inputs and the items it applies to (`000001-000003,000007`). */
export interface PointsFineGroup {
  indices: Record<FineIndex, { value: number; source: IndexSource }>;
  points: string;
  uncapped: number;
  amount: number;
  capped: boolean;
  count: number;
  items: string;
}

export type FineAuditDetails =
  | {
      model: 'points';
      currency: string;
      formula: string;
      maxPoints: number;
      tariffPerPoint: number;
      capPerItem: number;
      indexDefaults: Record<FineIndex, number>;
      orderIndices: FineIndexValues | null;
      items: number;
      total: number;
      groups: PointsFineGroup[];
    }
  | {
      model: 'flat';
      currency: string;
      formula: string;
      perItemPerPeriod: number;
      accrualPeriod: string;
      capPerItem: number;
      items: number;
    };

/** Item ids as runs of consecutive sequence numbers: `000001-000500,000702`. */
export function itemIdRanges(items: readonly Pick<ItemRecord, 'itemId' | 'seq'>[]): string {
  const sorted = [...items].sort((left, right) => left.seq - right.seq);
  const runs: string[] = [];
  let start = sorted[0];
  let previous = start;
  for (const item of [...sorted.slice(1), undefined]) {
    if (item !== undefined && previous !== undefined && item.seq === previous.seq + 1) {
      previous = item;
      continue;
    }
    if (start !== undefined && previous !== undefined)
      runs.push(start === previous ? start.itemId : `${start.itemId}-${previous.itemId}`);
    start = item;
    previous = item;
  }
  return runs.join(',');
}

const groupKey = (breakdown: PointsBreakdown): string =>
  FINE_INDICES.map((name) => `${breakdown.indices[name].source}:${breakdown.indices[name].value}`).join('|');

/**
 * What an audit event records about the fine (issue 10 §5) of `items` of an order past ST2: the ST2 escalation
 * (every item) and an uphold after it (the items upheld). Under the points model, the policy's parameters, the
 * order's indices and every distinct set of inputs with the items it fines and their amount, so that anyone
 * holding the audit trail can recompute each item's fine; under the flat model, the accrual that starts now.
 */
export function fineAuditDetails(
  order: OrderRecord,
  items: readonly ItemRecord[],
  now: Date,
): FineAuditDetails {
  const model = fineModelOf(order.policy);
  if (model.model === 'flat') {
    return {
      model: 'flat',
      currency: model.currency,
      formula: `${model.perItemPerPeriod} ${model.currency} per item for every ${model.accrualPeriod} begun while it stays pending, at most ${model.capPerItem} per item`,
      perItemPerPeriod: model.perItemPerPeriod,
      accrualPeriod: model.accrualPeriod,
      capPerItem: model.capPerItem,
      items: items.filter((item) => item.status === 'pending').length,
    };
  }
  const groups = new Map<string, { breakdown: PointsBreakdown; items: ItemRecord[] }>();
  for (const item of items) {
    const breakdown = itemFine(order, item, now, fineIndexInputsOf(order, item));
    if (breakdown.model !== 'points') continue;
    const key = groupKey(breakdown);
    const group = groups.get(key) ?? { breakdown, items: [] };
    group.items.push(item);
    groups.set(key, group);
  }
  const list = [...groups.values()].map(({ breakdown, items: fined }) => ({
    indices: breakdown.indices,
    points: breakdown.points,
    uncapped: breakdown.uncapped,
    amount: breakdown.amount,
    capped: breakdown.capped,
    count: fined.length,
    items: itemIdRanges(fined),
  }));
  return {
    model: 'points',
    currency: model.currency,
    formula: POINTS_FORMULA,
    maxPoints: model.maxPoints,
    tariffPerPoint: model.tariffPerPoint,
    capPerItem: model.capPerItem,
    indexDefaults: model.indexDefaults,
    orderIndices: order.fineIndices ?? null,
    items: list.reduce((sum, group) => sum + group.count, 0),
    total: list.reduce((sum, group) => sum + group.amount * group.count, 0),
    groups: list,
  };
}
