/**
 * Keys of an order's records in the one table (see docs/data-model.md), and the reading of a stored marker into the
 * record the use cases know: markers written by an earlier version get today's fields with their defaults.
 */
import { createHash } from 'node:crypto';
import { itemIdFor, UNKNOWN_WEBHOOK_HEALTH } from '../domain/new-order';
import { parsePolicy } from '../domain/policy';
import type { ItemRecord, OrderRecord } from '../domain/records';
import type { SequenceKeys } from './dynamodb-reads';

export const orderPk = (orderId: string): string => `ORDER#${orderId}`;
export const ORDER_SK = 'ORDER';
export const itemSk = (itemId: string): string => `ITEM#${itemId}`;
/**
 * An order's items as a sequence (`ITEM#000001`, ...), read past the first page in 8 ranges at once. The ranges split
 * up to the API's most items per order (10,000), which only balances them: any item past it is read all the same.
 */
export const ITEM_KEYS: SequenceKeys = { prefix: 'ITEM#', idOf: itemIdFor, usualMaxSeq: 10_000, ranges: 8 };
export const auditSk = (seq: number): string => `AUDIT#${String(seq).padStart(9, '0')}`;
export const noticeSk = (noticeId: string): string => `NOTICE#${noticeId}`;
export const deliverySk = (at: string, part: number): string =>
  `DELIVERY#${at}#${String(part).padStart(4, '0')}`;

export const BY_OPEN_ORDER_INDEX = 'byOpenOrder';
/** What the open-orders index projects besides its keys: what the reconciler and dashboards read. */
export const OPEN_ORDER_ATTRIBUTES = [
  'orderId',
  'status',
  'stage',
  'createdAt',
  'executionArn',
  'recoveries',
  'platformId',
  'agencyId',
  'deadlineAt',
];
/** The open-orders index is spread over this many partitions, so that no single one runs hot. */
export const OPEN_ORDER_SHARDS = 8;

export const BY_OPEN_LOCATOR_INDEX = 'byOpenLocator';
/** Statuses in which an item is open, and so in the open-locators index. */
const OPEN_ITEM_STATUSES: readonly string[] = ['pending', 'disputed'];

export const BY_PLATFORM_INDEX = 'byPlatform';

const KEY_ATTRIBUTES = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
  'gsi4pk',
  'gsi4sk',
  'expiresAt',
];

export function strip<T>(record: Record<string, unknown>): T {
  const copy: Record<string, unknown> = { ...record };
  for (const key of KEY_ATTRIBUTES) delete copy[key];
  return copy as T;
}

/** The open-orders index keys of a marker (present only while the order is not final). */
export function openOrderKeys(order: Pick<OrderRecord, 'orderId' | 'createdAt'>): {
  gsi2pk: string;
  gsi2sk: string;
} {
  const shard = (createHash('sha256').update(order.orderId).digest()[0] ?? 0) % OPEN_ORDER_SHARDS;
  return { gsi2pk: `OPEN#${shard}`, gsi2sk: `${order.createdAt}#${order.orderId}` };
}

/** The platform index keys of a marker (`byPlatform`): every order, final or not, newest first per platform. */
export const platformOrderPk = (platformId: string): string => `PLATFORM#${platformId}`;
export function platformOrderKeys(order: Pick<OrderRecord, 'orderId' | 'createdAt' | 'platformId'>): {
  gsi4pk: string;
  gsi4sk: string;
} {
  return { gsi4pk: platformOrderPk(order.platformId), gsi4sk: `${order.createdAt}#${order.orderId}` };
}

/**
 * The open-locators index keys of an item (`OPENLOC#<locatorKeyDigest>`, `<orderId>#<itemId>`): present only while
 * the item is open and its locator is kept; items written before the index (no digest) have none.
 */
export function openLocatorKeys(
  item: Pick<ItemRecord, 'orderId' | 'itemId' | 'status' | 'locator' | 'locatorDigest'>,
): { gsi3pk: string; gsi3sk: string } | Record<string, never> {
  if (!item.locatorDigest || item.locator === null || !OPEN_ITEM_STATUSES.includes(item.status)) return {};
  return { gsi3pk: `OPENLOC#${item.locatorDigest}`, gsi3sk: `${item.orderId}#${item.itemId}` };
}

/** Whether an item change takes the item out of the open-locators index (it never comes back: see data-model). */
export function leavesOpenLocators(set: Partial<ItemRecord>): boolean {
  return (set.status !== undefined && !OPEN_ITEM_STATUSES.includes(set.status)) || set.locator === null;
}

/** A stored marker as today's record: fields added since it was written read their defaults, as does its policy. */
export function orderFromItem(item: Record<string, unknown>): OrderRecord {
  const stored = strip<Partial<OrderRecord> & Record<string, unknown>>(item);
  const { taskPurpose: _legacyPurpose, ...rest } = stored;
  return {
    servedAt: stored.notifiedAt ?? null,
    servedVia: stored.notifiedAt ? 'webhook' : null,
    executionArn: null,
    recoveries: 0,
    noticeSeq: 0,
    webhookHealth: UNKNOWN_WEBHOOK_HEALTH,
    clarification: null,
    clarifications: [],
    clockPausedSince: null,
    clockPauses: [],
    auditHead: null,
    lastWarning: null,
    ...rest,
    policy: parsePolicy(stored.policy),
  } as OrderRecord;
}
