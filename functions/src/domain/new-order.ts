import type { Actor, AuditEvent } from './audit';
import { UnprocessableError } from './errors';
import { type FineIndexValues, fineIndexSetProblem } from './fine-policy';

export { fineIndexSetProblem, MAX_FINE_INDEX_SETS } from './fine-policy';

import { createNotice, type NoticeRecord } from './notices';
import { countItems } from './order-rules';
import { type Category, type PolicyDocument, urgencyOf } from './policy';
import type { Evidence, ItemRecord, OrderRecord, WebhookHealth } from './records';

export const UNKNOWN_WEBHOOK_HEALTH: WebhookHealth = {
  state: 'unknown',
  lastAttemptAt: null,
  lastError: null,
  lastHttpStatus: null,
  failingSince: null,
};

/** One item of an order as the agency submits it. */
export interface NewItem {
  kind: ItemRecord['kind'];
  locator: string;
  note?: string;
  /** SAMAN's fine indices for this item (points model); each one given here wins over the order's. */
  fineIndices?: FineIndexValues;
}

/** An order as the agency submits it (the HTTP body, validated, has exactly this shape). */
export interface NewOrder {
  platformId: string;
  category: Category;
  urgent?: boolean;
  urgencyReason?: string;
  legalBasis: string[];
  reason: string;
  reference: string;
  territorialScope: string[];
  officer?: string;
  items: NewItem[];
  evidence?: Evidence[];
  /** SAMAN's fine indices for every item (points model); the policy gives the ones left out. */
  fineIndices?: FineIndexValues;
}

/** Refuses an order whose per-item fine indices exceed the bound, naming the first item too many. */
export function checkFineIndices(submitted: Pick<NewOrder, 'items'>): void {
  const problem = fineIndexSetProblem(submitted.items);
  if (problem !== null)
    throw new UnprocessableError('too many distinct fine index sets', [
      { field: `items[${problem.index}].fineIndices`, message: problem.message },
    ]);
}

/** Item ids are the position in the order, zero-padded: stable across retries of the same submission. */
export const itemIdFor = (seq: number): string => String(seq).padStart(6, '0');

/** The item records of positions [start, end) of a submission: pending, ids by position (a retry rebuilds them). */
export function newItemRecords(
  submitted: Pick<NewOrder, 'items'>,
  orderId: string,
  start = 0,
  end = submitted.items.length,
): ItemRecord[] {
  return submitted.items.slice(start, end).map((item, offset) => {
    const seq = start + offset + 1;
    return {
      orderId,
      itemId: itemIdFor(seq),
      seq,
      kind: item.kind,
      locator: item.locator,
      note: item.note ?? null,
      status: 'pending',
      outcome: null,
      reason: null,
      answeredAt: null,
      actedAt: null,
      onTime: null,
      answeredAtStage: null,
      deadlineAt: null,
      fineSettled: 0,
      fineAccruingSince: null,
      review: null,
      ...(item.fineIndices === undefined ? {} : { fineIndices: item.fineIndices }),
    };
  });
}

interface NewOrderIdentity {
  orderId: string;
  agencyId: string;
  createdAt: string;
  policy: PolicyDocument;
  executionArn: string;
}

/**
 * The records a submission becomes: every item pending, the marker `notifying` at the first stage (the clock starts
 * on delivery), and its first audit event. Derived from the submission alone, so a retry rebuilds the same records.
 */
export function newOrderRecords(
  submitted: NewOrder,
  identity: NewOrderIdentity,
): { order: OrderRecord; items: ItemRecord[]; audit: Omit<AuditEvent, 'seq'>; notice: NoticeRecord } {
  const items = newItemRecords(submitted, identity.orderId);
  const { order, audit } = newMarker(submitted, identity, countItems(items.map((item) => item.status)));
  return { order, items, audit, notice: firstNotice(order, new Date(identity.createdAt)) };
}

/**
 * A large order accepted in the background: the marker `accepting` (its counts as submitted, no item written yet)
 * and its first audit event. Its first notice is created when the last item is in (`firstNotice`).
 */
export function acceptingOrderRecords(
  submitted: NewOrder,
  identity: NewOrderIdentity & { bodyKey: string },
): { order: OrderRecord; audit: Omit<AuditEvent, 'seq'> } {
  const total = submitted.items.length;
  const counts = { total, pending: total, resolved: 0, disputed: 0, withdrawn: 0 };
  const { order, audit } = newMarker(submitted, identity, counts);
  return {
    order: {
      ...order,
      status: 'accepting',
      noticeSeq: 0,
      intake: {
        bodyKey: identity.bodyKey,
        itemsAccepted: 0,
        updatedAt: identity.createdAt,
        completedAt: null,
      },
    },
    audit,
  };
}

/** The order itself is the first notice of its outbox: delivered now, emailed at the end of the grace period. */
export function firstNotice(order: OrderRecord, now: Date): NoticeRecord {
  return createNotice({
    orderId: order.orderId,
    seq: 1,
    event: 'takedown.requested',
    stage: 'order',
    urgency: order.urgency,
    policy: order.policy,
    now,
  });
}

function newMarker(
  submitted: NewOrder,
  identity: NewOrderIdentity,
  itemCounts: OrderRecord['itemCounts'],
): { order: OrderRecord; audit: Omit<AuditEvent, 'seq'> } {
  const { orderId, agencyId, createdAt, policy, executionArn } = identity;
  const urgent = submitted.urgent === true;
  const order: OrderRecord = {
    orderId,
    agencyId,
    platformId: submitted.platformId,
    category: submitted.category,
    urgency: urgencyOf(policy, submitted.category, urgent),
    urgent,
    urgencyReason: submitted.urgencyReason ?? null,
    legalBasis: submitted.legalBasis,
    reason: submitted.reason,
    reference: submitted.reference,
    territorialScope: submitted.territorialScope,
    officer: submitted.officer ?? null,
    evidence: submitted.evidence ?? [],
    status: 'notifying',
    stage: 'order',
    createdAt,
    servedAt: null,
    servedVia: null,
    notifiedAt: null,
    deadlineAt: null,
    st2At: null,
    stageHistory: [],
    itemCounts,
    policy,
    version: 1,
    auditSeq: 1,
    auditHead: null,
    taskToken: null,
    executionArn,
    recoveries: 0,
    noticeSeq: 1,
    webhookHealth: UNKNOWN_WEBHOOK_HEALTH,
    clarification: null,
    clarifications: [],
    clockPausedSince: null,
    clockPauses: [],
    lastReviewReminderAt: null,
    lastWarning: null,
    disputedSince: null,
    finalizedAt: null,
    withdrawal: null,
    ...(submitted.fineIndices === undefined ? {} : { fineIndices: submitted.fineIndices }),
  };
  const actor: Actor = {
    kind: 'agency',
    id: agencyId,
    ...(submitted.officer ? { officer: submitted.officer } : {}),
  };
  const audit: Omit<AuditEvent, 'seq'> = {
    orderId,
    at: createdAt,
    actor,
    action: 'order_submitted',
    stage: 'order',
    details: {
      platformId: submitted.platformId,
      items: itemCounts.total,
      urgency: order.urgency,
      reference: submitted.reference,
    },
  };
  return { order, audit };
}
