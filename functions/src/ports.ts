import type { AuditEvent } from './domain/audit';
import type { ChainedAuditEvent, StoredChainHead } from './domain/audit-chain';
import type { IntakeRequest } from './domain/intake';
import type { NewOrder } from './domain/new-order';
import type { NoticeRecord } from './domain/notices';
import type {
  DeliveryAttempt,
  ItemRecord,
  ItemUpdate,
  OrderRecord,
  PlatformDeliveryOutcome,
  PlatformRecord,
  PlatformSecrets,
} from './domain/records';
import type { ExecutionState, OpenOrder } from './domain/recovery';
import type { SubscriptionRecord } from './domain/subscriptions';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor: string | null;
}

/**
 * One atomic change of an order: the marker (guarded by its version), some items (guarded by status), notices of
 * its outbox (written whole: the marker's version guards them), one audit event.
 */
export interface OrderChange {
  orderId: string;
  expectedVersion: number;
  /** The audit counter as read with `expectedVersion`; the audit event gets the next number. */
  auditSeq: number;
  set: Partial<Omit<OrderRecord, 'orderId' | 'version'>>;
  items: ItemUpdate[];
  notices?: NoticeRecord[];
  audit: Omit<AuditEvent, 'seq'> | null;
}

/** What the order list filters on; `null` leaves a filter out. */
export interface OrderListQuery {
  /** One agency for an agency; every agency (or the one asked for) for an operator. */
  agencyIds: readonly string[];
  status: string | null;
  stage: string | null;
  platformId: string | null;
  /** Exact reference, from the reference records. */
  reference: string | null;
  /** The search digests of a locator (`locatorSearchDigests`), from the items' locator search keys. */
  locatorDigests: readonly string[] | null;
}

/** The most items one OrderChange may touch (DynamoDB transactions hold 100 actions). */
export const MAX_ITEMS_PER_CHANGE = 98;
/** The most notices one OrderChange may write besides its items (they share the 100 actions). */
export const MAX_NOTICES_PER_CHANGE = 8;
/** The most items `createOrder` takes into the marker's own transaction (beside marker, reference, audit, notice). */
export const MAX_ITEMS_WITH_MARKER = 90;

export interface OrderRepository {
  getOrder(orderId: string): Promise<OrderRecord | null>;
  /**
   * Writes items idempotently (overwrites), before the marker exists; `owner` (the order's agency and creation time)
   * keys each item's locator search entry.
   */
  putItems(items: ItemRecord[], owner: Pick<OrderRecord, 'agencyId' | 'createdAt'>): Promise<void>;
  /**
   * Writes the marker and its first audit event; returns false when the marker already exists. Here and in `commit`
   * the audit event is chained after the order's head and the new head is signed, in the same transaction. `items`
   * (at most `MAX_ITEMS_WITH_MARKER`) go into that same transaction: all or nothing. So does `completes`: the
   * submission's agency idempotency record (the `idempotency` store's) is completed as the order comes to exist.
   */
  createOrder(
    order: OrderRecord,
    audit: Omit<AuditEvent, 'seq'>,
    notices: NoticeRecord[],
    items?: ItemRecord[],
    completes?: IdempotencyCompletion,
  ): Promise<boolean>;
  /** Throws ConcurrentChangeError when the version or an item status moved meanwhile. */
  commit(change: OrderChange): Promise<void>;
  /** Stores the wait's task token only if the version is unchanged; returns false otherwise. */
  storeTaskToken(orderId: string, version: number, token: string): Promise<boolean>;
  /** Every notice of the order's outbox, oldest first. */
  listNotices(orderId: string): Promise<NoticeRecord[]>;
  getNotice(orderId: string, noticeId: string): Promise<NoticeRecord | null>;
  /** Every order that is not final, from the open-orders index (never a table scan). */
  listOpenOrders(): Promise<OpenOrder[]>;
  getItems(orderId: string, itemIds: readonly string[]): Promise<ItemRecord[]>;
  listItems(orderId: string, page: PageRequest): Promise<Page<ItemRecord>>;
  allItems(orderId: string): Promise<ItemRecord[]>;
  /** A page of the audit events, none past `throughSeq` when it is given (so a page can match a head read before it). */
  listAudit(orderId: string, page: PageRequest, throughSeq?: number): Promise<Page<ChainedAuditEvent>>;
  /**
   * The head stored on the marker and every audit event up to it, in order: a snapshot, even while events are
   * appended (an event appended after the head was read is not part of it).
   */
  auditTrail(orderId: string): Promise<{ events: ChainedAuditEvent[]; head: StoredChainHead | null }>;
  /** Removes the personal data of every event of the order (their digests stay); returns how many were erased. */
  erasePersonalData(orderId: string, at: Date): Promise<number>;
  recordDelivery(attempt: DeliveryAttempt): Promise<void>;
  listDeliveries(orderId: string, limit: number): Promise<DeliveryAttempt[]>;
}

/**
 * The order list (the read function only, a port of its own so that no other bundle carries it): newest first
 * across the listed agencies, one bounded read per agency (and locator key) per page.
 */
export interface OrderList {
  listOrders(query: OrderListQuery, page: PageRequest): Promise<Page<OrderRecord>>;
}

/**
 * Duplicate detection's reads (submit only; the order repository keeps the index up to date when it writes items).
 * A port of its own, so that the functions that never submit do not bundle it.
 */
export interface OpenLocatorIndex {
  /**
   * Open items (pending or disputed) whose locator digest is one of these, from the open-locators index (one
   * PartiQL SELECT per 50 digests), at most `MAX_OPEN_ITEMS_PER_LOCATOR` each, eventually consistent. Their orders may
   * be final since.
   */
  openItemsByLocator(digests: readonly string[]): Promise<OpenLocatorItem[]>;
  /** What duplicate detection reads of these orders' markers (missing ones left out), 100 per BatchGetItem. */
  orderStates(orderIds: readonly string[]): Promise<OrderState[]>;
}

/** The most index entries one locator's Query returns: a bound on the cost of a locator open in many orders. */
export const MAX_OPEN_ITEMS_PER_LOCATOR = 25;

export interface OpenLocatorItem {
  digest: string;
  orderId: string;
  itemId: string;
}

export type OrderState = Pick<OrderRecord, 'orderId' | 'agencyId' | 'platformId' | 'status' | 'finalizedAt'>;

/** The orders addressed to one platform (the `byPlatform` index), newest first; a port apart from the repository. */
export interface PlatformOrderIndex {
  listOrders(
    platformId: string,
    filter: { status: string | null },
    page: PageRequest,
  ): Promise<Page<OrderRecord>>;
}

/** A platform's client-credentials app client, as created: the secret is shown once and never kept. */
export interface MachineClient {
  clientId: string;
  clientSecret: string;
}

/** Creates a platform's app client in the machine user pool (scope `takedown/platform`). */
export interface PlatformClients {
  createMachineClient(platformId: string): Promise<MachineClient>;
  /** The token endpoint the client gets its tokens from. */
  tokenUrl: string;
}

export interface PlatformRepository {
  get(platformId: string): Promise<PlatformRecord | null>;
  /** Returns false when the platform already exists. */
  create(platform: PlatformRecord): Promise<boolean>;
  update(platformId: string, set: Partial<Omit<PlatformRecord, 'platformId'>>): Promise<void>;
  list(): Promise<PlatformRecord[]>;
  /**
   * Counts one delivery in the platform's `deliveryHealth` (`platformHealthAfter`), atomically: concurrent
   * deliveries to one platform lose no failure. Nothing happens for a platform that does not exist.
   */
  recordDelivery(platformId: string, outcome: PlatformDeliveryOutcome): Promise<void>;
}

export type IdempotencyClaim =
  | { state: 'claimed'; payload: Record<string, unknown> }
  | { state: 'reused' }
  | { state: 'in_flight' }
  | { state: 'completed'; requestHash: string; stored: IdempotentResult };

/** What a completed request produced, kept so that its retries get the same. */
export interface IdempotentResult {
  /** null when it was too large to keep; it is then rebuilt from `orderId`. */
  result: unknown;
  orderId?: string;
}

/** An idempotency record completed with what its request produced (`IdempotencyStore.complete`'s arguments). */
export interface IdempotencyCompletion {
  key: string;
  stored: IdempotentResult;
  ttlSeconds: number;
  /** The record expires `ttlSeconds` after this. */
  completedAt: Date;
}

export interface IdempotencyStore {
  /**
   * Claims `key` for `leaseMs`; a claim whose lease ran out (the first attempt crashed) is taken over and keeps the
   * payload the first attempt stored, so that the retry completes the same work. A different request hash under
   * the same key is `reused`, whatever the state.
   */
  claim(input: {
    key: string;
    requestHash: string;
    payload: Record<string, unknown>;
    leaseMs: number;
    ttlSeconds: number;
  }): Promise<IdempotencyClaim>;
  complete(key: string, stored: IdempotentResult, ttlSeconds: number): Promise<void>;
  release(key: string): Promise<void>;
}

export interface SecretStore {
  /** `fresh`: bypass a cache (e.g. a signature failed right after a rotation); a store may bound how often. */
  get(platformId: string, options?: { fresh?: boolean }): Promise<PlatformSecrets | null>;
  put(platformId: string, secrets: PlatformSecrets): Promise<void>;
}

export interface WorkflowGateway {
  /**
   * Starts the order's execution, named by the order id (or `name`, for a recovery); an existing one with the same
   * name and input counts as started. Answers its ARN.
   */
  start(orderId: string, options?: { name?: string; recovery?: number }): Promise<string>;
  /** The ARN an execution of this name has (whether or not it exists). */
  executionArnOf(name: string): string;
  /** Wakes a waiting task; a token that expired or was already used is ignored. */
  wake(taskToken: string, output: Record<string, unknown>): Promise<void>;
  describe(executionArn: string): Promise<ExecutionState>;
  redrive(executionArn: string): Promise<void>;
  /** ARNs of every execution of the state machine that is running now. */
  listRunning(): Promise<Set<string>>;
}

export interface OutgoingEmail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  attachments: { filename: string; contentType: string; content: Buffer }[];
  /** Tags the provider reports back with the message's delivery events (letters, digits, `_`, `-`). */
  tags: Record<string, string>;
}

/** Sends email (Amazon SES v2 on AWS, the local cloud's SES locally). */
export interface Mailer {
  /** Answers the provider's message id once it accepted the message. */
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

export interface DomainEvent {
  type: string;
  orderId?: string;
  platformId?: string;
  /** The order's agency: whether any of its subscriptions takes the event decides if delivery starts at all. */
  agencyId: string;
  detail: Record<string, unknown>;
}

export interface EventPublisher {
  publish(events: DomainEvent[]): Promise<void>;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface WebhookResult {
  httpStatus: number | null;
  latencyMs: number;
  retryAfterSeconds: number | null;
  error: string | null;
}

export interface WebhookSender {
  send(request: WebhookRequest): Promise<WebhookResult>;
}

/** Signs audit chain heads (KMS asymmetric key on AWS, a local key on the local cloud). */
export interface ChainSigner {
  sign(message: Uint8Array): Promise<{ keyId: string; signature: string }>;
  /**
   * Checks a signature against this signer's own key only: a head signed with any other key, whatever key id it
   * names, does not verify.
   */
  verify(message: Uint8Array, signature: string): Promise<boolean>;
}

export interface Clock {
  now(): Date;
}

/** The people's user pool (Cognito on AWS): platform groups and the staff users in them. */
export interface StaffDirectory {
  /** Creates the group `platform:<platformId>`; one that exists already is fine. */
  ensurePlatformGroup(platformId: string): Promise<void>;
  /**
   * Creates a user who must change this temporary password at first sign-in, and puts them in the platform's group;
   * `username_taken` when the pool has that username already.
   */
  createPlatformUser(input: {
    platformId: string;
    username: string;
    email: string;
    temporaryPassword: string;
  }): Promise<'created' | 'username_taken'>;
}

export interface IdGenerator {
  orderId(): string;
  secret(): string;
  /** `sub_` and 24 hex digits. */
  subscriptionId(): string;
}

/** A letter Tenggat issued: what `GET /v1/verify/{sha256}` looks a digest up by. */
export interface IssuedLetter {
  digest: string;
  orderId: string;
  stage: string;
  /** When it was served or emailed. */
  issuedAt: string;
  /** The instant its fine figures were computed at: the digest is recomputed as of this instant. */
  asOf: string;
}

/** What the reports read beyond one order: orders by creation time, and the letters issued. */
export interface ReportStore {
  /** One agency's order markers created in [fromIso, toIso] (the `byAgency` index, oldest first). */
  ordersCreatedBetween(agencyId: string, fromIso: string, toIso: string): AsyncIterable<OrderRecord>;
  recordLetter(letter: IssuedLetter): Promise<void>;
  findLetter(digest: string): Promise<IssuedLetter | null>;
}

/** Large report files (letters, CSV) handed out as short-lived links instead of Lambda responses. */
export interface ReportFiles {
  /** Stores the file and answers a presigned GET URL valid for `expiresInSeconds`. */
  publish(key: string, body: Buffer, contentType: string, expiresInSeconds: number): Promise<string>;
}

/** Agency subscriptions (`SUBSCRIPTIONS#<agencyId>` / `SUBSCRIPTION#<id>`). */
export interface SubscriptionRepository {
  create(subscription: SubscriptionRecord): Promise<void>;
  get(agencyId: string, subscriptionId: string): Promise<SubscriptionRecord | null>;
  /** Every subscription of the agency, oldest first (an agency has a handful). */
  list(agencyId: string): Promise<SubscriptionRecord[]>;
  update(
    agencyId: string,
    subscriptionId: string,
    set: Partial<Pick<SubscriptionRecord, 'status' | 'disabledAt' | 'lastDelivery'>>,
  ): Promise<void>;
  /** Returns false when there was none. */
  delete(agencyId: string, subscriptionId: string): Promise<boolean>;
}

/** The signing secret of each subscription (Secrets Manager, `tenggat/subscriptions/<id>`). */
export interface SubscriptionSecretStore {
  create(subscriptionId: string, secret: string): Promise<void>;
  get(subscriptionId: string): Promise<string | null>;
  delete(subscriptionId: string): Promise<void>;
}

/** The validated bodies of orders accepted in the background (the reports bucket, under `intake/`). */
export interface IntakeBodies {
  put(key: string, order: NewOrder): Promise<void>;
  /** null when the body is gone (it expires after a day). */
  get(key: string): Promise<NewOrder | null>;
}

/** Runs the intake of an accepting order in the background (an asynchronous invoke of the intake function). */
export interface IntakeStarter {
  start(request: IntakeRequest): Promise<void>;
}

/** What DescribeExecution tells of one execution (the operator's execution view). */
export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: string;
  startDate: Date;
  stopDate: Date | null;
  redriveCount: number;
  redriveStatus: string | null;
}

/** One GetExecutionHistory event: its `<kind>EventDetails` object, if any, as `details`. */
export interface HistoryEvent {
  id: number;
  previousEventId: number | null;
  timestamp: Date;
  type: string;
  details: Record<string, unknown> | null;
}

/** Reads of an execution for people (DescribeExecution, GetExecutionHistory, DescribeStateMachineForExecution). */
export interface ExecutionReader {
  /** null when no execution has this ARN. */
  describe(executionArn: string): Promise<ExecutionDescription | null>;
  /** The definition (ASL JSON text) this execution runs, whatever the machine was updated to since. */
  definitionOf(executionArn: string): Promise<string>;
  /** Oldest first; `nextToken` is the service's own, opaque. */
  history(
    executionArn: string,
    page: { limit: number; nextToken: string | null },
  ): Promise<{ events: HistoryEvent[]; nextToken: string | null }>;
}
