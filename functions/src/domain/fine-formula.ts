import * as z from 'zod';
import { parseDurationMs } from './duration';
import { FINE_INDICES, type FineIndex, type FineIndexValues, pointsFinePolicySchema } from './fine-policy';
import { type ClockPause, runningMs } from './legal-clock';
import type { PolicyDocument } from './policy';
import type { ItemRecord, OrderRecord } from './records';

/**
 * Fines that anyone can recheck (issue 10 §5): today's flat accrual and SAMAN's points model
 * (Kepmen Kominfo 522/2024): points = content × UGC × business scale × warning × compliance × virality indices ×
 * maximum points (5,000); fine = points × tariff per point, capped per item; imposed once per item at ST2.
 *
 * The arithmetic is exact: each index has at most 4 decimals and is carried as an integer of ten-thousandths,
 * so the product is an exact decimal (BigInt) and the only rounding is the last one, half up to a whole currency
 * unit. The breakdown carries every input, so the order view, the ST2 letter and the audit chain can show it.
 */
export {
  FINE_INDICES,
  type FineIndex,
  type FineIndexValues,
  fineIndexValuesSchema,
  pointsFinePolicySchema,
} from './fine-policy';

const INDEX_SCALE = 10_000n;

/** The extra fields of the policy's `fine` object; an absent `model` is today's flat accrual. */
export const fineModelFieldsSchema = z.object({
  model: z.enum(['flat', 'points']).default('flat'),
  points: pointsFinePolicySchema.optional(),
});

export interface FlatFineModel {
  model: 'flat';
  currency: string;
  perItemPerPeriod: number;
  accrualPeriod: string;
  capPerItem: number;
}

export interface PointsFineModel {
  model: 'points';
  currency: string;
  maxPoints: number;
  tariffPerPoint: number;
  capPerItem: number;
  indexDefaults: Record<FineIndex, number>;
}

export type FineModel = FlatFineModel | PointsFineModel;

export class InvalidFineModelError extends Error {
  override name = 'InvalidFineModelError';
}

/**
 * The fine model of a policy document. Reads the optional fields (`fine.model`, `fine.points`) from
 * the document as it is stored, so orders created under an older policy read as `flat`.
 */
export function fineModelOf(policy: PolicyDocument): FineModel {
  const cached = modelCache.get(policy);
  if (cached !== undefined) return cached;
  const model = readFineModel(policy);
  modelCache.set(policy, model);
  return model;
}

// Orders carry their policy object; reading it once per order keeps a 10,000-item breakdown cheap.
const modelCache = new WeakMap<PolicyDocument, FineModel>();

function readFineModel(policy: PolicyDocument): FineModel {
  const fine = policy.fine as PolicyDocument['fine'] & { model?: unknown; points?: unknown };
  const extra = fineModelFieldsSchema.safeParse({ model: fine.model, points: fine.points });
  if (!extra.success)
    throw new InvalidFineModelError(`the fine model is invalid: ${z.prettifyError(extra.error)}`);
  if (extra.data.model === 'flat') {
    const { currency, perItemPerPeriod, accrualPeriod, capPerItem } = policy.fine;
    return { model: 'flat', currency, perItemPerPeriod, accrualPeriod, capPerItem };
  }
  const points = extra.data.points;
  if (points === undefined) throw new InvalidFineModelError('fine.model "points" needs fine.points');
  return {
    model: 'points',
    currency: policy.fine.currency,
    maxPoints: points.maxPoints,
    tariffPerPoint: points.tariffPerPoint,
    capPerItem: points.capPerItem ?? policy.fine.capPerItem,
    indexDefaults: points.indexDefaults,
  };
}

export type IndexSource = 'item' | 'order' | 'policy';

export interface PointsBreakdown {
  model: 'points';
  currency: string;
  indices: Record<FineIndex, { value: number; source: IndexSource }>;
  /** Product of the six indices, exact decimal text. */
  indexProduct: string;
  maxPoints: number;
  /** indexProduct × maxPoints, exact decimal text. */
  points: string;
  tariffPerPoint: number;
  /** points × tariff rounded half up to a whole unit, before the cap. */
  uncapped: number;
  capPerItem: number;
  amount: number;
  capped: boolean;
  formula: string;
}

export interface FlatBreakdown {
  model: 'flat';
  currency: string;
  accruingSince: string | null;
  until: string;
  accrualPeriod: string;
  periods: number;
  perItemPerPeriod: number;
  settledBefore: number;
  uncapped: number;
  capPerItem: number;
  amount: number;
  capped: boolean;
  formula: string;
}

export interface NoFineBreakdown {
  model: 'none';
  currency: string;
  amount: 0;
  reason: 'before_st2' | 'not_open_at_st2' | 'withdrawn';
  formula: string;
}

export type ItemFineBreakdown = PointsBreakdown | FlatBreakdown | NoFineBreakdown;

function decimalText(numerator: bigint, scaleDigits: number): string {
  const negative = numerator < 0n;
  const digits = (negative ? -numerator : numerator).toString().padStart(scaleDigits + 1, '0');
  const whole = digits.slice(0, digits.length - scaleDigits);
  const fraction = digits.slice(digits.length - scaleDigits).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Which value each index takes: the item's, else the order's, else the policy default. */
export function resolveIndices(
  model: PointsFineModel,
  orderIndices: FineIndexValues = {},
  itemIndices: FineIndexValues = {},
): Record<FineIndex, { value: number; source: IndexSource }> {
  const resolved = {} as Record<FineIndex, { value: number; source: IndexSource }>;
  for (const name of FINE_INDICES) {
    const itemValue = itemIndices[name];
    const orderValue = orderIndices[name];
    resolved[name] =
      itemValue !== undefined
        ? { value: itemValue, source: 'item' }
        : orderValue !== undefined
          ? { value: orderValue, source: 'order' }
          : { value: model.indexDefaults[name], source: 'policy' };
  }
  return resolved;
}

/** SAMAN's points fine for one item with the given indices. */
export function pointsFine(
  model: PointsFineModel,
  orderIndices?: FineIndexValues,
  itemIndices?: FineIndexValues,
): PointsBreakdown {
  const indices = resolveIndices(model, orderIndices, itemIndices);
  let product = 1n;
  for (const name of FINE_INDICES) product *= BigInt(Math.round(indices[name].value * 10_000));
  const scale = INDEX_SCALE ** BigInt(FINE_INDICES.length);
  const pointsScaled = product * BigInt(model.maxPoints);
  const raw = pointsScaled * BigInt(model.tariffPerPoint);
  const uncapped = Number((raw * 2n + scale) / (scale * 2n));
  const amount = Math.min(uncapped, model.capPerItem);
  const points = decimalText(pointsScaled, 24);
  const factors = FINE_INDICES.map((name) => `${name} ${indices[name].value}`).join(' × ');
  return {
    model: 'points',
    currency: model.currency,
    indices,
    indexProduct: decimalText(product, 24),
    maxPoints: model.maxPoints,
    points,
    tariffPerPoint: model.tariffPerPoint,
    uncapped,
    capPerItem: model.capPerItem,
    amount,
    capped: amount < uncapped,
    formula: `(${factors}) × ${model.maxPoints} points = ${points} points × ${model.tariffPerPoint} ${model.currency} = ${uncapped} ${model.currency}${amount < uncapped ? `, capped at ${model.capPerItem}` : ''}`,
  };
}

/**
 * Today's flat accrual for one run of an item being pending from ST2, plus what an earlier run settled; a
 * clarification's pause does not count (as in `fines.ts`).
 */
export function flatFine(
  model: FlatFineModel,
  settledBefore: number,
  accruingSince: Date | null,
  until: Date,
  pauses: readonly ClockPause[] = [],
): FlatBreakdown {
  const period = parseDurationMs(model.accrualPeriod);
  const elapsed =
    accruingSince === null || until.getTime() < accruingSince.getTime()
      ? -1
      : runningMs(accruingSince, until, pauses);
  const periods = elapsed < 0 ? 0 : period <= 0 ? 1 : Math.floor(elapsed / period) + 1;
  const uncapped = settledBefore + periods * model.perItemPerPeriod;
  const amount = Math.min(model.capPerItem, uncapped);
  return {
    model: 'flat',
    currency: model.currency,
    accruingSince: accruingSince?.toISOString() ?? null,
    until: until.toISOString(),
    accrualPeriod: model.accrualPeriod,
    periods,
    perItemPerPeriod: model.perItemPerPeriod,
    settledBefore,
    uncapped,
    capPerItem: model.capPerItem,
    amount,
    capped: amount < uncapped,
    formula: `${settledBefore > 0 ? `${settledBefore} settled + ` : ''}${periods} period(s) of ${model.accrualPeriod} × ${model.perItemPerPeriod} ${model.currency}${amount < uncapped ? `, capped at ${model.capPerItem}` : ''} = ${amount} ${model.currency}`,
  };
}

/** Index values the agency gave, from the optional `fineIndices` of order and item. */
export interface FineIndexInputs {
  orderIndices?: FineIndexValues;
  itemIndices?: FineIndexValues;
}

const noFine = (currency: string, reason: NoFineBreakdown['reason']): NoFineBreakdown => ({
  model: 'none',
  currency,
  amount: 0,
  reason,
  formula:
    reason === 'before_st2'
      ? 'no fine: the order has not reached ST2'
      : reason === 'withdrawn'
        ? 'no fine: the agency withdrew the item'
        : 'no fine: the item was answered before ST2',
});

/**
 * The fine of one item at `now` under the order's policy, with its breakdown.
 *
 * - flat: exactly what the order view shows today (pending items accrue from ST2, or from the uphold that put
 *   them back, until they are answered or the order is final; withdrawn items carry none).
 * - points: once per item that was still open when ST2 began (not answered before `st2At`) or that became
 *   pending again after it; none for items the agency withdrew.
 */
export function itemFine(
  order: OrderRecord,
  item: ItemRecord,
  now: Date,
  inputs: FineIndexInputs = {},
): ItemFineBreakdown {
  const model = fineModelOf(order.policy);
  if (order.st2At === null) return noFine(model.currency, 'before_st2');
  if (item.status === 'withdrawn') return noFine(model.currency, 'withdrawn');
  if (model.model === 'flat') {
    const since = item.status === 'pending' ? (item.fineAccruingSince ?? order.st2At) : null;
    const until = order.finalizedAt !== null ? new Date(order.finalizedAt) : now;
    const sinceDate = since === null ? null : new Date(since);
    return flatFine(model, item.fineSettled, sinceDate, until, order.clockPauses ?? []);
  }
  const openAtSt2 = item.status === 'pending' || item.answeredAt === null || item.answeredAt > order.st2At;
  if (!openAtSt2) return noFine(model.currency, 'not_open_at_st2');
  return pointsFine(model, inputs.orderIndices, inputs.itemIndices);
}

/** The `fineIndices` the agency gave on the order and the item (absent on older records). */
export function fineIndexInputsOf(order: OrderRecord, item: ItemRecord): FineIndexInputs {
  return { orderIndices: order.fineIndices, itemIndices: item.fineIndices };
}

/** The item's fine at `now` under its order's model, with the indices the agency gave. */
export const fineAmount = (order: OrderRecord, item: ItemRecord, now: Date): number =>
  itemFine(order, item, now, fineIndexInputsOf(order, item)).amount;

export interface OrderFineBreakdown {
  currency: string;
  model: FineModel['model'];
  total: number;
  items: { itemId: string; breakdown: ItemFineBreakdown }[];
}

/** Every item's breakdown and the order's total (for the order view, the ST2 letter and the audit details). */
export function orderFine(order: OrderRecord, items: readonly ItemRecord[], now: Date): OrderFineBreakdown {
  const model = fineModelOf(order.policy);
  const breakdowns = items.map((item) => ({
    itemId: item.itemId,
    breakdown: itemFine(order, item, now, fineIndexInputsOf(order, item)),
  }));
  return {
    currency: model.currency,
    model: model.model,
    total: breakdowns.reduce((sum, entry) => sum + entry.breakdown.amount, 0),
    items: breakdowns,
  };
}

/** A short description of the model for letters ("how the fine is computed"). */
export function fineModelDescription(model: FineModel): { id: string; en: string } {
  if (model.model === 'flat') {
    return {
      id: `Denda ${model.perItemPerPeriod} ${model.currency} per butir untuk setiap periode ${model.accrualPeriod} yang dimulai sejak ST2 selama butir belum ditindaklanjuti, paling banyak ${model.capPerItem} ${model.currency} per butir.`,
      en: `A fine of ${model.perItemPerPeriod} ${model.currency} per item for every ${model.accrualPeriod} period begun since ST2 while the item is not acted on, at most ${model.capPerItem} ${model.currency} per item.`,
    };
  }
  return {
    id: `Poin = indeks konten × indeks UGC × indeks skala usaha × indeks teguran × indeks kepatuhan × indeks viralitas × ${model.maxPoints}; denda = poin × ${model.tariffPerPoint} ${model.currency} per poin, paling banyak ${model.capPerItem} ${model.currency} per butir, dikenakan sekali pada ST2.`,
    en: `Points = content × UGC × business scale × warning × compliance × virality indices × ${model.maxPoints}; fine = points × ${model.tariffPerPoint} ${model.currency} per point, at most ${model.capPerItem} ${model.currency} per item, imposed once at ST2.`,
  };
}
