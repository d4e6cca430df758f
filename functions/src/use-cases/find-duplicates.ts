import {
  type DuplicateEntry,
  duplicateEntries,
  type LocatorKind,
  locatorKey,
  locatorKeyDigest,
  type OpenLocatorMatch,
} from '../domain/locator';
import { itemIdFor } from '../domain/new-order';
import { isFinalOrderStatus } from '../domain/order-rules';
import type { ItemRecord, OrderRecord } from '../domain/records';
import type { Deps } from './deps';

export type FindDuplicatesDeps = Pick<Deps, 'openLocators'>;

export interface FindDuplicatesInput {
  /** The items to check: the whole order, or one slice of it. */
  items: readonly { kind: LocatorKind; locator: string }[];
  platformId: string;
  agencyId: string;
  /** The order these items belong to: its own items are repeats, never matches in "another order". */
  orderId: string;
  /** Position of `items[0]` in the order (0 for a whole order; the slice's offset otherwise). */
  firstIndex: number;
}

/**
 * Which items are duplicates (issue 10 §4): an item whose normalized locator is open (pending or disputed) in
 * another, non-final order to the same platform, or repeats an earlier item of this order. One entry per such
 * item, with its index in the order; ids only when the other order is the same agency's.
 *
 * Cost: each distinct locator of `items` looked up once in the index (the adapter asks 50 per PartiQL SELECT),
 * plus one BatchGetItem per 100 distinct orders matched
 * (their markers say whether they are final, and whose they are). Earlier slices of the same order, already
 * written, are found in the index too, so a slice sees repeats of any earlier item.
 */
export async function findDuplicates(
  deps: FindDuplicatesDeps,
  input: FindDuplicatesInput,
): Promise<DuplicateEntry[]> {
  const keys = input.items.map((item) => locatorKey(item.kind, item.locator));
  const digestOf = new Map(keys.map((key) => [key, locatorKeyDigest(input.platformId, key)]));
  const keyOf = new Map([...digestOf].map(([key, digest]) => [digest, key]));
  const found = await deps.openLocators.openItemsByLocator([...digestOf.values()]);

  // Repeats: the first item of this order with the key, earlier slices (in the index) or this one.
  const firstOwn = new Map<string, string>();
  for (const entry of found) {
    const key = keyOf.get(entry.digest);
    if (entry.orderId !== input.orderId || key === undefined) continue;
    const known = firstOwn.get(key);
    if (known === undefined || entry.itemId < known) firstOwn.set(key, entry.itemId);
  }
  const ownItemId = (index: number) => itemIdFor(input.firstIndex + index + 1);
  keys.forEach((key, index) => {
    const known = firstOwn.get(key);
    if (known === undefined || ownItemId(index) < known) firstOwn.set(key, ownItemId(index));
  });

  const others = found.filter((entry) => entry.orderId !== input.orderId);
  const states = await deps.openLocators.orderStates(others.map((entry) => entry.orderId));
  // The index may still hold items of an order that became final with them open (e.g. referred for blocking).
  const open = new Map(
    states
      .filter((state) => state.platformId === input.platformId)
      .filter((state) => state.finalizedAt === null && !isFinalOrderStatus(state.status))
      .map((state) => [state.orderId, state.agencyId]),
  );
  const matches: OpenLocatorMatch[] = others.flatMap((entry) => {
    const agencyId = open.get(entry.orderId);
    const key = keyOf.get(entry.digest);
    return agencyId === undefined || key === undefined
      ? []
      : [{ key, agencyId, orderId: entry.orderId, itemId: entry.itemId }];
  });
  const elsewhere = new Map(
    duplicateEntries(input.items, matches, input.agencyId).map((entry) => [entry.index, entry]),
  );

  const entries: DuplicateEntry[] = [];
  keys.forEach((key, index) => {
    const first = firstOwn.get(key) ?? ownItemId(index);
    const position = input.firstIndex + index;
    if (first !== ownItemId(index)) {
      entries.push({ index: position, sameAgency: true, orderId: input.orderId, itemId: first });
      return;
    }
    const other = elsewhere.get(index);
    if (other !== undefined) entries.push({ ...other, index: position });
  });
  return entries;
}

/**
 * The records of a new order (or slice) as they are stored: each item with its `locatorDigest` (without it the
 * item never enters the open-locators index) and its duplicate, the duplicates counted on the marker. Here rather
 * than in `newOrderRecords`, so that the functions that only read orders do not bundle the URL normalization.
 */
export function withDuplicates<T extends { order: OrderRecord; items: ItemRecord[] }>(
  records: T,
  duplicates: readonly DuplicateEntry[],
): T {
  const byIndex = new Map(duplicates.map(({ index, ...duplicateOf }) => [index, duplicateOf]));
  const { platformId } = records.order;
  return {
    ...records,
    order: { ...records.order, duplicateCount: (records.order.duplicateCount ?? 0) + duplicates.length },
    items: records.items.map((item) => {
      const duplicateOf = byIndex.get(item.seq - 1);
      const locatorDigest =
        item.locator === null ? null : locatorKeyDigest(platformId, locatorKey(item.kind, item.locator));
      return duplicateOf === undefined ? { ...item, locatorDigest } : { ...item, locatorDigest, duplicateOf };
    }),
  };
}

/** The duplicates kept on stored items, as the submit response lists them. */
export function duplicatesOf(items: readonly ItemRecord[]): DuplicateEntry[] {
  return items.flatMap((item) => (item.duplicateOf ? [{ index: item.seq - 1, ...item.duplicateOf }] : []));
}

/** The most items a refusal names one by one; its message gives the total. */
export const MAX_NAMED_DUPLICATES = 1_000;

/** Under `duplicateLocators: reject`: each duplicate item named, with what the agency may know of the other. */
export function duplicateFieldErrors(
  duplicates: readonly DuplicateEntry[],
  orderId: string,
): { field: string; message: string }[] {
  return duplicates.slice(0, MAX_NAMED_DUPLICATES).map((entry) => ({
    field: `items[${entry.index}].locator`,
    message: !entry.sameAgency
      ? "is already open in another agency's order to this platform"
      : entry.orderId === orderId
        ? `repeats items[${Number(entry.itemId) - 1}] of this order`
        : `is already open in order ${entry.orderId} (item ${entry.itemId})`,
  }));
}
