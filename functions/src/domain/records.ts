import type { Actor, AuditEvent } from './audit';
import type { ItemCounts, ItemOutcome, ItemStatus, OrderStatus, OutboundEvent, Stage } from './order-rules';
import type { Category, PolicyDocument, Urgency } from './policy';

export interface StageEntry {
  stage: Stage;
  at: string;
  deadlineAt: string | null;
}

export interface Evidence {
  uri: string;
  sha256: string;
}

/** The order marker: its presence is what makes an order exist. */
export interface OrderRecord {
  orderId: string;
  agencyId: string;
  platformId: string;
  category: Category;
  urgency: Urgency;
  urgent: boolean;
  urgencyReason: string | null;
  legalBasis: string[];
  /** Free-text statement of reasons; null once erased on a lawful request. */
  reason: string | null;
  reference: string;
  territorialScope: string[];
  officer: string | null;
  evidence: Evidence[];
  status: OrderStatus;
  stage: Stage;
  createdAt: string;
  notifiedAt: string | null;
  deadlineAt: string | null;
  /** When ST2 began: fines accrue from here for items still pending. */
  st2At: string | null;
  stageHistory: StageEntry[];
  itemCounts: ItemCounts;
  policy: PolicyDocument;
  /** Bumped by every change, including storing a task token, so that concurrent writers notice each other. */
  version: number;
  auditSeq: number;
  taskToken: string | null;
  taskPurpose: 'answers' | 'redelivery' | null;
  lastReviewReminderAt: string | null;
  disputedSince: string | null;
  finalizedAt: string | null;
  /** `reason` and `by.officer` go with an erasure, like the order's own `reason` and `officer`. */
  withdrawal: { reason: string | null; at: string; by: Actor } | null;
  /** When `officer` and `reason` (and the items' locators and notes) were erased; absent on records never erased. */
  personalDataErasedAt?: string | null;
}

export interface ItemRecord {
  orderId: string;
  itemId: string;
  seq: number;
  kind: 'account' | 'url' | 'content';
  /** null once erased on a lawful request, as is `note`. */
  locator: string | null;
  note: string | null;
  status: ItemStatus;
  outcome: ItemOutcome | null;
  reason: { code: string; explanation: string } | null;
  answeredAt: string | null;
  actedAt: string | null;
  onTime: boolean | null;
  /** Stage the order was at when the item was answered. */
  answeredAtStage: Stage | null;
  /** Only set when the agency upholds a disputed item: its own fresh deadline. */
  deadlineAt: string | null;
  fineSettled: number;
  fineAccruingSince: string | null;
  review: { decision: 'uphold' | 'withdraw'; note: string; at: string } | null;
  personalDataErasedAt?: string | null;
}

/** A change of one item, applied only if the item is still in `expectedStatus`. */
export interface ItemUpdate {
  itemId: string;
  expectedStatus: ItemStatus;
  set: Partial<ItemRecord>;
}

export interface DeliveryAttempt {
  orderId: string;
  at: string;
  event: OutboundEvent;
  stage: Stage;
  attempt: number;
  part: number;
  parts: number;
  webhookId: string;
  httpStatus: number | null;
  latencyMs: number;
  error: string | null;
}

export interface PlatformRecord {
  platformId: string;
  name: string;
  webhookUrl: string;
  contactEmail: string;
  status: 'active' | 'disabled';
  createdAt: string;
  secretsRotatedAt: string | null;
  disabledAt: string | null;
}

/** A platform as an operator registers it. */
export interface NewPlatform {
  id: string;
  name: string;
  webhookUrl: string;
  contactEmail: string;
}

export interface PlatformSecretPair {
  notificationSecret: string;
  responseSecret: string;
  createdAt: string;
}

export interface PlatformSecrets {
  current: PlatformSecretPair;
  previous: (PlatformSecretPair & { validUntil: string }) | null;
}

export type { AuditEvent };
