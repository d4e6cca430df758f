import type { Actor, AuditEvent } from './audit';
import type { StoredChainHead } from './audit-chain';
import type { FineIndexValues } from './fine-policy';
import type { IntakeProgress } from './intake';
import type { Clarification, ClockPause, ServiceChannel } from './legal-clock';
import type { DuplicateOf } from './locator';
import type { ItemCounts, ItemOutcome, ItemStatus, OrderStatus, OutboundEvent, Stage } from './order-rules';
import type { Category, PolicyDocument, Urgency } from './policy';

export type { StageEntry } from './legal-clock';

import type { StageEntry } from './legal-clock';

/** How the platform's webhook endpoint has been answering lately (shown on the order view). */
export interface WebhookHealth {
  state: 'unknown' | 'ok' | 'failing';
  lastAttemptAt: string | null;
  lastError: string | null;
  lastHttpStatus: number | null;
  /** When the current run of failures began. */
  failingSince: string | null;
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
  /** When and how the order was served: the first webhook 2xx of `takedown.requested`, or its email. */
  servedAt: string | null;
  servedVia: ServiceChannel | null;
  /** The first webhook acknowledgement of `takedown.requested`; null while served by email only. */
  notifiedAt: string | null;
  /** Of the current stage; null before service and while the clock is paused. */
  deadlineAt: string | null;
  /** When ST2 began: fines accrue from here for items still pending. */
  st2At: string | null;
  stageHistory: StageEntry[];
  itemCounts: ItemCounts;
  policy: PolicyDocument;
  /** Bumped by every change, including storing a task token, so that concurrent writers notice each other. */
  version: number;
  auditSeq: number;
  /** The newest signed head of the order's audit chain (null before the first event is chained). */
  auditHead: StoredChainHead | null;
  taskToken: string | null;
  /** The order's current execution (`<orderId>`, or `<orderId>.<n>` after a recovery that needed a new one). */
  executionArn: string | null;
  recoveries: number;
  /** The number of the last notice in the outbox (`NOTICE#<000001>`...). */
  noticeSeq: number;
  webhookHealth: WebhookHealth;
  /** The open clarification, and the closed ones; the clock is paused from the request until the answer arrives. */
  clarification: Clarification | null;
  clarifications: Clarification[];
  clockPausedSince: string | null;
  clockPauses: ClockPause[];
  lastReviewReminderAt: string | null;
  /** The last `takedown.deadline_approaching` put in the outbox, for which deadline; absent on older records. */
  lastWarning?: { deadlineAt: string; fraction: number } | null;
  disputedSince: string | null;
  finalizedAt: string | null;
  /** `reason` and `by.officer` go with an erasure, like the order's own `reason` and `officer`. */
  withdrawal: { reason: string | null; at: string; by: Actor } | null;
  /** When `officer` and `reason` (and the items' locators and notes) were erased; absent on records never erased. */
  personalDataErasedAt?: string | null;
  /** A large order accepted in the background: where its body is and how far the writing got; absent otherwise. */
  intake?: IntakeProgress | null;
  /** The agency's fine indices for every item (points model); absent when it gave none. */
  fineIndices?: FineIndexValues;
  /** How many of its items were duplicates when it was submitted (absent on orders submitted before). */
  duplicateCount?: number;
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
  /** The agency's fine indices for this item (points model); absent when it gave none. */
  fineIndices?: FineIndexValues;
  /**
   * `locatorKeyDigest(platformId, locatorKey(kind, locator))`: what the open-locators index finds the item by while
   * it is open; null once erased, absent on items written before duplicate detection.
   */
  locatorDigest?: string | null;
  /** As found at submission: the open item with the same normalized locator (another order, or earlier here). */
  duplicateOf?: DuplicateOf | null;
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
  /** Which notice of the outbox, and by which channel (email attempts carry the SES message id). */
  noticeId: string;
  channel: ServiceChannel;
  messageId?: string | null;
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
  /** Its Cognito app clients (platform-side API, client credentials); absent on records older than them. */
  machineClientIds?: string[];
  /** How its deliveries went lately; absent until its first webhook attempt or fallback email. */
  deliveryHealth?: PlatformDeliveryHealth;
}

/**
 * A platform's delivery health across all its orders, kept on its record by every webhook attempt and fallback
 * email (one write each), so that the registry shows it without reading any order or delivery.
 */
export interface PlatformDeliveryHealth {
  /** The last webhook notice that every part of answered 2xx. */
  lastWebhookSuccessAt: string | null;
  lastWebhookFailureAt: string | null;
  /** Of the last failure: the HTTP status (null when no answer came) and what went wrong. */
  lastWebhookHttpStatus: number | null;
  lastWebhookError: string | null;
  /** Failed webhook attempts since the last success. */
  consecutiveWebhookFailures: number;
  /** The last notice that fell back to email (its webhook had not succeeded within the grace period). */
  lastEmail: { at: string; orderId: string; sent: boolean; error: string | null } | null;
}

/** One delivery as the platform's health counts it. */
export type PlatformDeliveryOutcome =
  | { channel: 'webhook'; at: string; delivered: boolean; httpStatus: number | null; error: string | null }
  | { channel: 'email'; at: string; orderId: string; sent: boolean; error: string | null };

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
