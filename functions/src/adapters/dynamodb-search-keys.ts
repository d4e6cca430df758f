import { locatorKey, locatorSearchDigest } from '../domain/locator';
import type { ItemRecord, OrderRecord } from '../domain/records';
import { leavesOpenLocators } from './dynamodb-order-keys';

/**
 * The keys that let the order list find orders by reference and by locator without a scan (docs/data-model.md):
 * a reference record beside each marker, and `byAgency` index keys on each item that keeps its locator.
 */

export const referencePk = (agencyId: string, reference: string): string =>
  `REFERENCE#${agencyId}#${reference}`;
export const locatorPartition = (agencyId: string, digest: string): string => `LOCATOR#${agencyId}#${digest}`;
/** Newest first within any of these partitions: the creation time, then the order id (unique). */
export const createdSortKey = (order: Pick<OrderRecord, 'createdAt' | 'orderId'>): string =>
  `${order.createdAt}#${order.orderId}`;

/** The reference record: written in the marker's own transaction, so an order is never missing from it. */
export function referenceRecord(
  order: Pick<OrderRecord, 'agencyId' | 'reference' | 'createdAt' | 'orderId'>,
) {
  return {
    pk: referencePk(order.agencyId, order.reference),
    sk: createdSortKey(order),
    orderId: order.orderId,
    agencyId: order.agencyId,
  };
}

/** The owner an item's search keys name: the order's agency and creation time. */
export type ItemOwner = Pick<OrderRecord, 'agencyId' | 'createdAt'>;

/** An item's `byAgency` keys under its locator's search digest; none once its locator is erased. */
export function itemSearchKeys(
  item: Pick<ItemRecord, 'orderId' | 'kind' | 'locator'>,
  owner: ItemOwner,
): { gsi1pk: string; gsi1sk: string } | Record<string, never> {
  if (item.locator === null) return {};
  const digest = locatorSearchDigest(locatorKey(item.kind, item.locator));
  return {
    gsi1pk: locatorPartition(owner.agencyId, digest),
    gsi1sk: createdSortKey({ createdAt: owner.createdAt, orderId: item.orderId }),
  };
}

/** An erasure (locator set to null) takes the item out of the locator search in the same write. */
export const leavesLocatorSearch = (set: Partial<ItemRecord>): boolean => set.locator === null;

/** The index keys an item change removes: the open-locators index's when it leaves it, the search's on erasure. */
export function removedIndexKeys(set: Partial<ItemRecord>): string {
  const keys = [
    ...(leavesOpenLocators(set) ? ['gsi3pk', 'gsi3sk'] : []),
    ...(leavesLocatorSearch(set) ? ['gsi1pk', 'gsi1sk'] : []),
  ];
  return keys.length === 0 ? '' : ` REMOVE ${keys.join(', ')}`;
}
