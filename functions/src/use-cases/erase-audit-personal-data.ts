import { ConflictError, NotFoundError } from '../domain/errors';
import type { Clarification } from '../domain/legal-clock';
import { noticeOpen } from '../domain/notices';
import { isFinalOrderStatus } from '../domain/order-rules';
import type { ItemRecord, OrderRecord } from '../domain/records';
import { MAX_NOTICES_PER_CHANGE } from '../ports';
import type { Deps } from './deps';
import { changeOrder, changeOrderInChunks } from './order-changes';

export interface PersonalDataErasure {
  orderId: string;
  erasedEvents: number;
  erasedItems: number;
  erasedAt: string;
}

const ERASURE_ACTION = 'personal_data_erased';

export type EraseAuditPersonalDataDeps = Pick<Deps, 'orders' | 'clock'>;

/**
 * Erases the personal data of a finished order on a lawful request (UU PDP 27/2022): the officer names, notes and
 * free-text reasons of the audit trail (their digests stay, so the chain still verifies), the order's `officer`,
 * `reason` and withdrawal reason and officer, and every item's `locator` and `note`. Ids, statuses, outcomes,
 * deadlines and counts stay. Only final orders: an order still being enforced needs its locators. The erasure is
 * recorded as one audit event, and a repeated request changes nothing and answers what the first one did.
 */
export async function eraseAuditPersonalData(
  deps: EraseAuditPersonalDataDeps,
  input: { orderId: string; operatorId: string; requestReference: string },
): Promise<PersonalDataErasure> {
  const order = await deps.orders.getOrder(input.orderId);
  if (order === null) throw new NotFoundError(`order ${input.orderId} does not exist`);
  if (!isFinalOrderStatus(order.status))
    throw new ConflictError(
      `the order is still ${order.status}; its personal data can be erased once it is final, as its locators are still enforced`,
    );
  if (isErased(order)) return previousErasure(deps, order);
  // A notice still owed to the platform (e.g. an ST3 referral being retried) carries the locators: erase after it.
  const owed = (await deps.orders.listNotices(input.orderId)).filter((notice) => noticeOpen(notice, true));
  if (owed.length > 0)
    throw new ConflictError(
      `notice ${owed[0]?.noticeId} (${owed[0]?.event}) is still being delivered; erase once it has reached the platform`,
    );

  const now = deps.clock.now();
  const erasedAt = now.toISOString();
  const erasedEvents = await deps.orders.erasePersonalData(input.orderId, now);
  const erasedItems = await eraseItems(deps, input.orderId, erasedAt);
  const { result } = await changeOrder(deps, input.orderId, async (current) => {
    // Another request finished the erasure meanwhile: it stands, and this one answers the same.
    if (isErased(current)) return { change: null, result: null };
    // Clarification texts are written by people: they go too, on the order and on the notices that carried them.
    const notices = (await deps.orders.listNotices(input.orderId))
      .filter((notice) => notice.detail.question !== undefined || notice.detail.answer !== undefined)
      .map((notice) => ({ ...notice, detail: { ...notice.detail, question: null, answer: null } }));
    const blank = (clarification: Clarification): Clarification => ({
      ...clarification,
      question: null,
      answer: null,
    });
    return {
      result: { orderId: input.orderId, erasedEvents, erasedItems, erasedAt },
      change: {
        set: {
          officer: null,
          reason: null,
          withdrawal: current.withdrawal ? erasedWithdrawal(current.withdrawal) : null,
          clarification: current.clarification ? blank(current.clarification) : null,
          clarifications: current.clarifications.map(blank),
          personalDataErasedAt: erasedAt,
        },
        items: [],
        notices: notices.slice(0, MAX_NOTICES_PER_CHANGE),
        audit: {
          orderId: current.orderId,
          at: erasedAt,
          actor: { kind: 'operator', id: input.operatorId },
          action: ERASURE_ACTION,
          stage: current.stage,
          details: { erasedEvents, erasedItems, requestReference: input.requestReference },
        },
      },
    };
  });
  return result ?? previousErasure(deps, order);
}

function isErased(order: OrderRecord): boolean {
  return order.personalDataErasedAt !== undefined && order.personalDataErasedAt !== null;
}

function erasedWithdrawal(withdrawal: NonNullable<OrderRecord['withdrawal']>): OrderRecord['withdrawal'] {
  return { reason: null, at: withdrawal.at, by: { kind: withdrawal.by.kind, id: withdrawal.by.id } };
}

const holdsPersonalData = (item: ItemRecord): boolean => item.locator !== null || item.note !== null;

/** Blanks the items in batches a transaction can hold; returns how many items are erased in all. */
async function eraseItems(deps: Pick<Deps, 'orders'>, orderId: string, erasedAt: string): Promise<number> {
  const items = await deps.orders.allItems(orderId);
  const byId = new Map(items.filter(holdsPersonalData).map((item) => [item.itemId, item]));
  await changeOrderInChunks(deps, orderId, [...byId.keys()], async (_order, chunkIds) => ({
    result: null,
    change: {
      set: {},
      items: chunkIds.flatMap((itemId) => {
        const item = byId.get(itemId);
        return item === undefined
          ? []
          : [
              {
                itemId,
                expectedStatus: item.status,
                set: { locator: null, note: null, locatorDigest: null, personalDataErasedAt: erasedAt },
              },
            ];
      }),
      audit: null,
    },
  }));
  // Items blanked by an earlier attempt that crashed before marking the order count too.
  return items.length;
}

/** The answer of the erasure already carried out, read back from its audit event. */
async function previousErasure(deps: Pick<Deps, 'orders'>, order: OrderRecord): Promise<PersonalDataErasure> {
  const { events } = await deps.orders.auditTrail(order.orderId);
  const recorded = events.findLast((event) => event.action === ERASURE_ACTION);
  const details = recorded?.details ?? {};
  return {
    orderId: order.orderId,
    erasedEvents: typeof details.erasedEvents === 'number' ? details.erasedEvents : 0,
    erasedItems: typeof details.erasedItems === 'number' ? details.erasedItems : 0,
    erasedAt: order.personalDataErasedAt ?? recorded?.at ?? '',
  };
}
