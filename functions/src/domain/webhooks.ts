import { createHash } from 'node:crypto';
import type { OutboundEvent, Stage } from './order-rules';

export const MAX_ITEMS_PER_PART = 1_000;

/** Same (order, event, stage, part) → same id, so a retry carries the id a receiver already saw. */
export function webhookIdFor(orderId: string, event: OutboundEvent, stage: Stage, part: number): string {
  const digest = createHash('sha256').update(`${orderId}\n${event}\n${stage}\n${part}`).digest('base64url');
  return `msg_${digest.slice(0, 32)}`;
}

/** Splits open items into numbered parts of at most `size`; an empty list still makes one (empty) part. */
export function splitIntoParts<T>(items: readonly T[], size = MAX_ITEMS_PER_PART): T[][] {
  if (size < 1) throw new RangeError('part size must be at least 1');
  if (items.length === 0) return [[]];
  const parts: T[][] = [];
  for (let start = 0; start < items.length; start += size) parts.push(items.slice(start, start + size));
  return parts;
}
