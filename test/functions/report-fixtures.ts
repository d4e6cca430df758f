/** Order and item records as the table holds them, for the statistics, export, letter and fine tests. */
import type { PolicyDocument } from '../../functions/src/domain/policy';
import type { DeliveryAttempt, ItemRecord, OrderRecord } from '../../functions/src/domain/records';
import { DEFAULT_POLICY } from './policy-fixture';

/** The order marker as the design contract describes it (kept as a name for the letter tests). */
export type ContractOrder = OrderRecord;

export function orderRecord(overrides: Partial<ContractOrder> = {}): ContractOrder {
  const orderId = overrides.orderId ?? 'order-1';
  return {
    orderId,
    agencyId: 'komdigi-ais',
    platformId: 'michat',
    category: 'gambling',
    urgency: 'standard',
    urgent: false,
    urgencyReason: null,
    legalBasis: ['UU ITE Pasal 27 ayat (2)'],
    reason: 'Promotes online gambling.',
    reference: `AIS/2026/${orderId}`,
    territorialScope: ['ID'],
    officer: 'Rina S.',
    evidence: [],
    status: 'awaiting_platform',
    stage: 'order',
    createdAt: '2026-11-27T01:00:00.000Z',
    notifiedAt: '2026-11-27T01:00:05.000Z',
    servedAt: '2026-11-27T01:00:05.000Z',
    servedVia: 'webhook',
    deadlineAt: '2026-11-28T01:00:05.000Z',
    st2At: null,
    stageHistory: [
      { stage: 'order', at: '2026-11-27T01:00:05.000Z', deadlineAt: '2026-11-28T01:00:05.000Z' },
    ],
    itemCounts: { total: 0, pending: 0, resolved: 0, disputed: 0, withdrawn: 0 },
    policy: DEFAULT_POLICY,
    version: 1,
    auditSeq: 1,
    auditHead: null,
    taskToken: null,
    executionArn: `arn:aws:states:ap-southeast-3:123456789012:execution:OrderWorkflow:${orderId}`,
    recoveries: 0,
    noticeSeq: 1,
    webhookHealth: {
      state: 'ok',
      lastAttemptAt: '2026-11-27T01:00:05.000Z',
      lastError: null,
      lastHttpStatus: 200,
      failingSince: null,
    },
    clarification: null,
    clarifications: [],
    clockPausedSince: null,
    clockPauses: [],
    lastReviewReminderAt: null,
    disputedSince: null,
    finalizedAt: null,
    withdrawal: null,
    ...overrides,
  };
}

export function itemRecord(orderId: string, seq: number, overrides: Partial<ItemRecord> = {}): ItemRecord {
  return {
    orderId,
    itemId: `${orderId}-${String(seq).padStart(6, '0')}`,
    seq,
    kind: 'url',
    locator: `https://michat.example/p/${orderId}/${seq}`,
    note: null,
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
    ...overrides,
  };
}

export function deliveryAttempt(orderId: string, overrides: Partial<DeliveryAttempt> = {}): DeliveryAttempt {
  return {
    orderId,
    at: '2026-11-27T01:00:05.000Z',
    noticeId: '000001',
    channel: 'webhook',
    event: 'takedown.requested',
    stage: 'order',
    attempt: 0,
    part: 1,
    parts: 1,
    webhookId: `msg_${orderId}`,
    httpStatus: 200,
    latencyMs: 120,
    error: null,
    ...overrides,
  };
}

/** A policy with SAMAN's points model (the proposed `fine.model` / `fine.points` fields). */
export function pointsPolicy(points: Record<string, unknown> = {}): PolicyDocument {
  return {
    ...DEFAULT_POLICY,
    fine: {
      ...DEFAULT_POLICY.fine,
      model: 'points',
      points: { tariffPerPoint: 100_000, ...points },
    } as PolicyDocument['fine'],
  };
}
