import { SYSTEM_ACTOR } from '../domain/audit';
import { DEADLINE_WARNING_EVENT, type DueWarning, deadlineWarnings } from '../domain/deadline-warnings';
import { nextNotice } from '../domain/notices';
import type { Deps } from './deps';
import { changeOrder } from './order-changes';

export type WarnDeadlineDeps = Pick<Deps, 'orders' | 'events' | 'clock'>;

/** What the `WarnDeadline` state shows in the execution history: which warning, and its notice. */
export interface WarnResult {
  warned: boolean;
  warning: (DueWarning & { openItems: number }) | null;
  noticeId: string | null;
}

/**
 * Puts the warning owed now (see `deadlineWarnings`) in the outbox as a `takedown.deadline_approaching` notice,
 * records it on the order and in the audit trail, and announces it on the bus. A repeated call (or one after the
 * items were answered or the clock paused) changes nothing.
 */
export async function warnDeadline(deps: WarnDeadlineDeps, orderId: string): Promise<WarnResult> {
  const { result, before, after } = await changeOrder<WarnResult>(deps, orderId, async (order) => {
    const now = deps.clock.now();
    const items = await deps.orders.allItems(orderId);
    const openItems = items.filter((item) => item.status === 'pending').length;
    const { due } = deadlineWarnings(order, openItems, now);
    if (due === null) return { result: { warned: false, warning: null, noticeId: null }, change: null };
    const detail = { deadlineAt: due.deadlineAt, fraction: due.fraction };
    const { notice, noticeSeq } = nextNotice(order, DEADLINE_WARNING_EVENT, now, detail);
    return {
      result: { warned: true, warning: { ...due, openItems }, noticeId: notice.noticeId },
      change: {
        set: { noticeSeq, lastWarning: detail },
        items: [],
        notices: [notice],
        audit: {
          orderId,
          at: now.toISOString(),
          actor: SYSTEM_ACTOR,
          action: 'deadline_warning',
          stage: order.stage,
          details: { ...detail, openItems, noticeId: notice.noticeId },
        },
      },
    };
  });
  if (before.version !== after.version && result.warning !== null) {
    await deps.events.publish([
      {
        type: DEADLINE_WARNING_EVENT,
        orderId,
        platformId: after.platformId,
        agencyId: after.agencyId,
        detail: {
          stage: result.warning.stage,
          deadlineAt: result.warning.deadlineAt,
          fraction: result.warning.fraction,
          openItems: result.warning.openItems,
          agencyId: after.agencyId,
        },
      },
    ]);
  }
  return result;
}
