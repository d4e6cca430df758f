import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { linkAuditEvent } from '../../functions/src/adapters/audit-chain-links';
import type { AuditEvent } from '../../functions/src/domain/audit';
import {
  type ChainedAuditEvent,
  erasePersonalData,
  type StoredChainHead,
} from '../../functions/src/domain/audit-chain';
import { ConcurrentChangeError, InvalidCursorError } from '../../functions/src/domain/errors';
import type { NoticeRecord } from '../../functions/src/domain/notices';
import { isFinalOrderStatus } from '../../functions/src/domain/order-rules';
import type { PolicyDocument } from '../../functions/src/domain/policy';
import type {
  DeliveryAttempt,
  ItemRecord,
  OrderRecord,
  PlatformRecord,
  PlatformSecrets,
} from '../../functions/src/domain/records';
import { type ExecutionState, executionArnFor } from '../../functions/src/domain/recovery';
import type {
  ChainSigner,
  DomainEvent,
  IdempotencyClaim,
  IdempotencyStore,
  IdempotentResult,
  IssuedLetter,
  Mailer,
  OrderChange,
  OrderRepository,
  OutgoingEmail,
  Page,
  PageRequest,
  PlatformRepository,
  ReportFiles,
  ReportStore,
  SecretStore,
  WebhookRequest,
  WebhookResult,
  WebhookSender,
  WorkflowGateway,
} from '../../functions/src/ports';
import type { Deps } from '../../functions/src/use-cases/deps';
import { DEFAULT_POLICY } from './policy-fixture';

const clone = <T>(value: T): T => structuredClone(value);

/** Page offsets are the fake's cursors; like the real store, it refuses a cursor it did not issue. */
function offsetOf(cursor: string | null): number {
  if (cursor === null) return 0;
  if (!/^\d+$/.test(cursor)) throw new InvalidCursorError('the cursor is not valid');
  return Number(cursor);
}

/** A P-256 key in memory, signing like KMS ECDSA_SHA_256 (DER signatures, base64). */
export class InMemoryChainSigner implements ChainSigner {
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  constructor(readonly keyId = 'test-audit-key') {}
  async sign(message: Uint8Array) {
    return { keyId: this.keyId, signature: sign('sha256', message, this.keys.privateKey).toString('base64') };
  }
  async verify(message: Uint8Array, signature: string) {
    return verify('sha256', message, this.keys.publicKey, Buffer.from(signature, 'base64'));
  }
}

/** In-memory repository with the same guarantees as DynamoDB: versioned marker, conditional item writes. */
export class InMemoryOrders implements OrderRepository {
  orders = new Map<string, OrderRecord>();
  items = new Map<string, Map<string, ItemRecord>>();
  audit = new Map<string, ChainedAuditEvent[]>();
  heads = new Map<string, StoredChainHead>();
  deliveries: DeliveryAttempt[] = [];
  notices = new Map<string, Map<string, NoticeRecord>>();
  /** Runs once just before the next commit, to simulate another writer slipping in. */
  beforeNextCommit: (() => void) | null = null;

  constructor(private readonly chainSigner: ChainSigner | null = null) {}

  async getOrder(orderId: string) {
    const order = this.orders.get(orderId);
    return order ? clone(order) : null;
  }
  async putItems(items: ItemRecord[]) {
    for (const item of items) {
      const map = this.items.get(item.orderId) ?? new Map<string, ItemRecord>();
      map.set(item.itemId, clone(item));
      this.items.set(item.orderId, map);
    }
  }
  private putNotices(notices: readonly NoticeRecord[]) {
    for (const notice of notices) {
      const map = this.notices.get(notice.orderId) ?? new Map<string, NoticeRecord>();
      map.set(notice.noticeId, clone(notice));
      this.notices.set(notice.orderId, map);
    }
  }
  async createOrder(order: OrderRecord, audit: Omit<AuditEvent, 'seq'>, notices: NoticeRecord[] = []) {
    if (this.orders.has(order.orderId)) return false;
    const chain = await linkAuditEvent(
      this.chainSigner,
      { ...clone(audit), seq: order.auditSeq },
      null,
      new Date(),
    );
    if (this.orders.has(order.orderId)) return false;
    this.orders.set(order.orderId, { ...clone(order), auditHead: chain.head });
    this.putNotices(notices);
    this.audit.set(order.orderId, [chain.event]);
    this.heads.set(order.orderId, chain.head);
    return true;
  }
  async commit(change: OrderChange) {
    const hook = this.beforeNextCommit;
    this.beforeNextCommit = null;
    hook?.();
    if (this.orders.get(change.orderId)?.version !== change.expectedVersion)
      throw new ConcurrentChangeError('version moved');
    const chain = change.audit
      ? await linkAuditEvent(
          this.chainSigner,
          { ...clone(change.audit), seq: change.auditSeq + 1 },
          this.heads.get(change.orderId) ?? null,
          new Date(),
        )
      : null;
    // Checked again after the signing await, as DynamoDB's condition would at write time.
    const order = this.orders.get(change.orderId);
    if (!order || order.version !== change.expectedVersion) throw new ConcurrentChangeError('version moved');
    const items = this.items.get(change.orderId) ?? new Map<string, ItemRecord>();
    for (const update of change.items) {
      if (items.get(update.itemId)?.status !== update.expectedStatus)
        throw new ConcurrentChangeError('item moved');
    }
    for (const update of change.items) {
      const item = items.get(update.itemId);
      if (item) items.set(update.itemId, { ...item, ...clone(update.set) });
    }
    const next = { ...order, ...clone(change.set), version: order.version + 1 };
    if (chain) {
      next.auditSeq = change.auditSeq + 1;
      next.auditHead = chain.head;
      const events = this.audit.get(change.orderId) ?? [];
      if (events.some((event) => event.seq === next.auditSeq))
        throw new ConcurrentChangeError('audit exists');
      events.push(chain.event);
      this.audit.set(change.orderId, events);
      this.heads.set(change.orderId, chain.head);
    }
    this.putNotices(change.notices ?? []);
    this.orders.set(change.orderId, next);
  }
  async storeTaskToken(orderId: string, version: number, token: string) {
    const order = this.orders.get(orderId);
    if (!order || order.version !== version) return false;
    this.orders.set(orderId, { ...order, taskToken: token, version: version + 1 });
    return true;
  }
  async listNotices(orderId: string) {
    return [...(this.notices.get(orderId)?.values() ?? [])]
      .sort((left, right) => left.noticeId.localeCompare(right.noticeId))
      .map(clone);
  }
  async getNotice(orderId: string, noticeId: string) {
    const notice = this.notices.get(orderId)?.get(noticeId);
    return notice ? clone(notice) : null;
  }
  async listOpenOrders() {
    return [...this.orders.values()]
      .filter((order) => order.finalizedAt === null && !isFinalOrderStatus(order.status))
      .map((order) => ({
        orderId: order.orderId,
        status: order.status,
        createdAt: order.createdAt,
        executionArn: order.executionArn,
        recoveries: order.recoveries,
      }));
  }
  async getItems(orderId: string, itemIds: readonly string[]) {
    const map = this.items.get(orderId);
    return itemIds.flatMap((itemId) => {
      const item = map?.get(itemId);
      return item ? [clone(item)] : [];
    });
  }
  private sortedItems(orderId: string) {
    return [...(this.items.get(orderId)?.values() ?? [])].sort((left, right) => left.seq - right.seq);
  }
  async listItems(orderId: string, page: PageRequest): Promise<Page<ItemRecord>> {
    const all = this.sortedItems(orderId);
    const start = offsetOf(page.cursor);
    const items = all.slice(start, start + page.limit).map(clone);
    return { items, nextCursor: start + page.limit < all.length ? String(start + page.limit) : null };
  }
  async allItems(orderId: string) {
    return this.sortedItems(orderId).map(clone);
  }
  async listOrders(
    agencyId: string,
    filter: { status: string | null; platformId: string | null },
    page: PageRequest,
  ) {
    const all = [...this.orders.values()]
      .filter((order) => order.agencyId === agencyId)
      .filter((order) => filter.status === null || order.status === filter.status)
      .filter((order) => filter.platformId === null || order.platformId === filter.platformId)
      .sort((left, right) => right.createdAt.localeCompare(left.createdAt));
    const start = offsetOf(page.cursor);
    return {
      items: all.slice(start, start + page.limit).map(clone),
      nextCursor: start + page.limit < all.length ? String(start + page.limit) : null,
    };
  }
  async listAudit(orderId: string, page: PageRequest) {
    const all = this.audit.get(orderId) ?? [];
    const start = offsetOf(page.cursor);
    return {
      items: all.slice(start, start + page.limit).map(clone),
      nextCursor: start + page.limit < all.length ? String(start + page.limit) : null,
    };
  }
  async auditTrail(orderId: string) {
    return {
      events: (this.audit.get(orderId) ?? []).map(clone),
      head: clone(this.heads.get(orderId) ?? null),
    };
  }
  async erasePersonalData(orderId: string, at: Date) {
    const events = this.audit.get(orderId) ?? [];
    const erased = events.filter((event) => event.personalData !== null).length;
    this.audit.set(
      orderId,
      events.map((event) => erasePersonalData(event, at)),
    );
    return erased;
  }
  async recordDelivery(attempt: DeliveryAttempt) {
    this.deliveries.push(clone(attempt));
  }
  async listDeliveries(orderId: string, limit: number) {
    return this.deliveries.filter((attempt) => attempt.orderId === orderId).slice(-limit);
  }
}

/** Orders by creation time straight from the in-memory orders, and the letters issued. */
export class InMemoryReports implements ReportStore {
  letters = new Map<string, IssuedLetter>();
  /** Orders read by the last queries, to check what a report costs. */
  ordersRead = 0;

  constructor(private readonly orders: InMemoryOrders) {}

  async *ordersCreatedBetween(agencyId: string, fromIso: string, toIso: string) {
    const found = [...this.orders.orders.values()]
      .filter(
        (order) => order.agencyId === agencyId && order.createdAt >= fromIso && order.createdAt <= toIso,
      )
      .sort((left, right) => left.createdAt.localeCompare(right.createdAt));
    for (const order of found) {
      this.ordersRead += 1;
      yield clone(order);
    }
  }
  async recordLetter(letter: IssuedLetter) {
    if (!this.letters.has(letter.digest)) this.letters.set(letter.digest, { ...letter });
  }
  async findLetter(digest: string) {
    return this.letters.get(digest) ?? null;
  }
}

/** Keeps published files; the link names the key. */
export class InMemoryReportFiles implements ReportFiles {
  files = new Map<string, { body: Buffer; contentType: string; expiresInSeconds: number }>();
  async publish(key: string, body: Buffer, contentType: string, expiresInSeconds: number) {
    this.files.set(key, { body, contentType, expiresInSeconds });
    return `https://reports.s3.test/${key}?X-Amz-Expires=${expiresInSeconds}`;
  }
}

export class InMemoryPlatforms implements PlatformRepository {
  platforms = new Map<string, PlatformRecord>();
  async get(platformId: string) {
    const platform = this.platforms.get(platformId);
    return platform ? clone(platform) : null;
  }
  async create(platform: PlatformRecord) {
    if (this.platforms.has(platform.platformId)) return false;
    this.platforms.set(platform.platformId, clone(platform));
    return true;
  }
  async update(platformId: string, set: Partial<PlatformRecord>) {
    const platform = this.platforms.get(platformId);
    if (platform) this.platforms.set(platformId, { ...platform, ...set });
  }
  async list() {
    return [...this.platforms.values()];
  }
}

export class InMemoryIdempotency implements IdempotencyStore {
  records = new Map<
    string,
    {
      requestHash: string;
      payload: Record<string, unknown>;
      leaseUntil: number;
      stored: IdempotentResult | null;
    }
  >();
  constructor(private readonly clock: FakeClock) {}
  async claim(input: {
    key: string;
    requestHash: string;
    payload: Record<string, unknown>;
    leaseMs: number;
  }): Promise<IdempotencyClaim> {
    const now = this.clock.now().getTime();
    const record = this.records.get(input.key);
    if (!record) {
      this.records.set(input.key, {
        requestHash: input.requestHash,
        payload: input.payload,
        leaseUntil: now + input.leaseMs,
        stored: null,
      });
      return { state: 'claimed', payload: input.payload };
    }
    if (record.requestHash !== input.requestHash) return { state: 'reused' };
    if (record.stored)
      return { state: 'completed', requestHash: record.requestHash, stored: clone(record.stored) };
    if (record.leaseUntil > now) return { state: 'in_flight' };
    record.leaseUntil = now + input.leaseMs;
    return { state: 'claimed', payload: record.payload };
  }
  async complete(key: string, stored: IdempotentResult) {
    const record = this.records.get(key);
    if (record) record.stored = clone(stored);
  }
  async release(key: string) {
    this.records.delete(key);
  }
}

export class InMemorySecrets implements SecretStore {
  secrets = new Map<string, PlatformSecrets>();
  async get(platformId: string) {
    const value = this.secrets.get(platformId);
    return value ? clone(value) : null;
  }
  async put(platformId: string, secrets: PlatformSecrets) {
    this.secrets.set(platformId, clone(secrets));
  }
}

export const TEST_STATE_MACHINE_ARN =
  'arn:aws:states:ap-southeast-3:123456789012:stateMachine:Tenggat-OrderWorkflow';

/** Step Functions as the use cases see it: executions by ARN with a status each; starts, wakes and redrives kept. */
export class RecordingWorkflow implements WorkflowGateway {
  started: string[] = [];
  woken: { taskToken: string; output: Record<string, unknown> }[] = [];
  redriven: string[] = [];
  executions = new Map<string, ExecutionState>();
  executionArnOf(name: string) {
    return executionArnFor(TEST_STATE_MACHINE_ARN, name);
  }
  async start(orderId: string, options: { name?: string } = {}) {
    const name = options.name ?? orderId;
    if (!this.started.includes(name)) this.started.push(name);
    const arn = this.executionArnOf(name);
    if (!this.executions.has(arn))
      this.executions.set(arn, { status: 'RUNNING', stopDate: null, redriveStatus: null });
    return arn;
  }
  async wake(taskToken: string, output: Record<string, unknown>) {
    this.woken.push({ taskToken, output });
  }
  async describe(executionArn: string): Promise<ExecutionState> {
    return this.executions.get(executionArn) ?? { status: 'NOT_FOUND' };
  }
  async redrive(executionArn: string) {
    this.redriven.push(executionArn);
    this.executions.set(executionArn, { status: 'RUNNING', stopDate: null, redriveStatus: null });
  }
  async listRunning() {
    return new Set(
      [...this.executions].filter(([, state]) => state.status === 'RUNNING').map(([arn]) => arn),
    );
  }
}

/** SES as the email use case sees it: keeps every message; `failNext` makes the next sends throw. */
export class RecordingMailer implements Mailer {
  sent: (OutgoingEmail & { messageId: string })[] = [];
  failNext = 0;
  async send(email: OutgoingEmail) {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' });
    }
    const messageId = `ses-${this.sent.length + 1}`;
    this.sent.push({ ...email, messageId });
    return { messageId };
  }
}

/** A platform endpoint: answers with the next queued status (200 when none is queued) and keeps what it got. */
export class FakePlatformEndpoint implements WebhookSender {
  received: WebhookRequest[] = [];
  statuses: { status: number | null; retryAfter?: number }[] = [];
  async send(request: WebhookRequest): Promise<WebhookResult> {
    this.received.push(request);
    const next = this.statuses.shift() ?? { status: 200 };
    return {
      httpStatus: next.status,
      latencyMs: 12,
      retryAfterSeconds: next.retryAfter ?? null,
      error: next.status === null ? 'connection refused' : null,
    };
  }
}

export class FakeClock {
  // Starts at the real time: Standard Webhooks signatures are checked against the system clock.
  constructor(private current = new Date(Math.floor(Date.now() / 1000) * 1000)) {}
  now() {
    return new Date(this.current);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(date: Date) {
    this.current = new Date(date);
  }
}

export interface TestWorld {
  deps: Deps;
  orders: InMemoryOrders;
  platforms: InMemoryPlatforms;
  secrets: InMemorySecrets;
  workflow: RecordingWorkflow;
  mailer: RecordingMailer;
  published: DomainEvent[];
  endpoint: FakePlatformEndpoint;
  clock: FakeClock;
}

export function testWorld(policy: PolicyDocument = DEFAULT_POLICY): TestWorld {
  const clock = new FakeClock();
  const chainSigner = new InMemoryChainSigner();
  const orders = new InMemoryOrders(chainSigner);
  const platforms = new InMemoryPlatforms();
  const secrets = new InMemorySecrets();
  const workflow = new RecordingWorkflow();
  const endpoint = new FakePlatformEndpoint();
  const mailer = new RecordingMailer();
  const published: DomainEvent[] = [];
  let orderCounter = 0;
  const deps: Deps = {
    orders,
    platforms,
    idempotency: new InMemoryIdempotency(clock),
    webhookIds: new InMemoryIdempotency(clock),
    secrets,
    workflow,
    events: { publish: async (events) => void published.push(...events) },
    webhooks: endpoint,
    clock,
    ids: {
      orderId: () => `order-${++orderCounter}`,
      secret: () => `whsec_${randomBytes(24).toString('base64')}`,
    },
    policy,
    webhookRules: { allowLoopback: false, blockedPorts: [] },
    resolveHost: async () => ['93.184.216.34'],
    chainSigner,
    mailer,
    links: { apiUrl: 'https://api.tenggat.test/prod', portalUrl: null },
    reports: new InMemoryReports(orders),
    reportFiles: new InMemoryReportFiles(),
  };
  return { deps, orders, platforms, secrets, workflow, mailer, published, endpoint, clock };
}

/** Counts every write the fakes receive (table, idempotency, secrets, workflow, bus), for tests that must see none. */
export function countWrites(world: TestWorld): () => number {
  let writes = 0;
  const count = () => {
    writes += 1;
  };
  counting(
    world.orders,
    ['putItems', 'createOrder', 'commit', 'storeTaskToken', 'erasePersonalData', 'recordDelivery'],
    count,
  );
  counting(world.platforms, ['create', 'update'], count);
  counting(world.secrets, ['put'], count);
  counting(world.workflow, ['start', 'wake', 'redrive'], count);
  counting(world.mailer, ['send'], count);
  for (const store of [world.deps.idempotency, world.deps.webhookIds]) {
    counting(store, ['claim', 'complete', 'release'], count);
  }
  return () => writes + world.published.length;
}

function counting<T extends object>(target: T, methods: readonly (keyof T)[], count: () => void): void {
  for (const method of methods) {
    const original = target[method];
    if (typeof original !== 'function') throw new TypeError(`${String(method)} is not a method`);
    target[method] = ((...args: unknown[]) => {
      count();
      return original.apply(target, args);
    }) as T[keyof T];
  }
}
