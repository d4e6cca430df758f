import { newOrderRecords } from '../../../functions/src/domain/new-order';
import type { ItemRecord, OrderRecord } from '../../../functions/src/domain/records';
import { DEFAULT_POLICY } from '../policy-fixture';

export const T0 = new Date('2026-11-27T00:00:00.000Z');
export const HOUR = 3_600_000;
export const at = (ms: number): Date => new Date(T0.getTime() + ms);

/**
 * A standard order of `count` pending items, served by webhook at T0 (first deadline T0 + 24 h), with `order` and `items`
 * overrides applied.
 */
export function notifiedOrder(
  count = 2,
  order: Partial<OrderRecord> = {},
): { order: OrderRecord; items: ItemRecord[] } {
  const records = newOrderRecords(
    {
      platformId: 'michat',
      category: 'gambling',
      legalBasis: ['UU ITE'],
      reason: 'Gambling',
      reference: 'R-1',
      territorialScope: ['ID'],
      items: Array.from({ length: count }, (_, index) => ({
        kind: 'url' as const,
        locator: `u${index + 1}`,
      })),
    },
    {
      orderId: 'order-1',
      agencyId: 'komdigi-ais',
      createdAt: T0.toISOString(),
      policy: DEFAULT_POLICY,
      executionArn: 'arn:aws:states:ap-southeast-3:123456789012:execution:OrderWorkflow:order-1',
    },
  );
  const deadlineAt = at(24 * HOUR).toISOString();
  return {
    order: {
      ...records.order,
      status: 'awaiting_platform',
      servedAt: T0.toISOString(),
      servedVia: 'webhook',
      notifiedAt: T0.toISOString(),
      deadlineAt,
      stageHistory: [{ stage: 'order', at: T0.toISOString(), deadlineAt }],
      ...order,
    },
    items: records.items,
  };
}

export const byId = (items: readonly ItemRecord[]): Map<string, ItemRecord> =>
  new Map(items.map((item) => [item.itemId, item]));
