import { linkAuditEvent } from '../../functions/src/adapters/audit-chain-links';
import type { AuditEvent } from '../../functions/src/domain/audit';
import {
  type ChainedAuditEvent,
  erasePersonalData,
  type StoredChainHead,
} from '../../functions/src/domain/audit-chain';
import { ConcurrentChangeError, InvalidCursorError } from '../../functions/src/domain/errors';
import { locatorKey, locatorSearchDigest } from '../../functions/src/domain/locator';
import type { NoticeRecord } from '../../functions/src/domain/notices';
import { isFinalOrderStatus } from '../../functions/src/domain/order-rules';
import type { DeliveryAttempt, ItemRecord, OrderRecord } from '../../functions/src/domain/records';
import {
  type ChainSigner,
  type IdempotencyCompletion,
  type IdempotencyStore,
  type IssuedLetter,
  MAX_OPEN_ITEMS_PER_LOCATOR,
  type OpenLocatorIndex,
  type OpenLocatorItem,
  type OrderChange,
  type OrderListQuery,
  type OrderRepository,
  type OrderState,
  type Page,
  type PageRequest,
  type ReportFiles,
  type ReportStore,
} from '../../functions/src/ports';

const clone = <T>(value: T): T => structuredClone(value);

/** The record stores as the use cases see them, in memory: orders (with notices and audit) and reports. */

/** Page offsets are the fake's cursors; like the real store, it refuses a cursor it did not issue. */
function offsetOf(cursor: string | null): number {
  if (cursor === null) return 0;
  if (!/^\d+$/.test(cursor)) throw new InvalidCursorError('the cursor is not valid');
  return Number(cursor);
}

/** In-memory repository with the same guarantees as DynamoDB: versioned marker, conditional item writes. */
export class InMemoryOrders implements OrderRepository, OpenLocatorIndex {
  orders = new Map<string, OrderRecord>();
  items = new Map<string, Map<string, ItemRecord>>();
  audit = new Map<string, ChainedAuditEvent[]>();
  heads = new Map<string, StoredChainHead>();
  deliveries: DeliveryAttempt[] = [];
  notices = new Map<string, Map<string, NoticeRecord>>();
  /** Open-locator Queries made so far (one per distinct digest asked), to check what duplicate detection costs. */
  locatorQueries = 0;
  /** Runs once just before the next commit, to simulate another writer slipping in. */
  beforeNextCommit: (() => void) | null = null;

  constructor(
    private readonly chainSigner: ChainSigner | null = null,
    /** The store `createOrder`'s `completes` completes, as the DynamoDB transaction does. */
    private readonly idempotency: Pick<IdempotencyStore, 'complete'> | null = null,
  ) {}

  async getOrder(orderId: string) {
    const order = this.orders.get(orderId);
    return order ? clone(order) : null;
  }
  async putItems(items: ItemRecord[], _owner: Pick<OrderRecord, 'agencyId' | 'createdAt'>) {
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
  async createOrder(
    order: OrderRecord,
    audit: Omit<AuditEvent, 'seq'>,
    notices: NoticeRecord[] = [],
    items: ItemRecord[] = [],
    completes?: IdempotencyCompletion,
  ) {
    if (this.orders.has(order.orderId)) return false;
    const chain = await linkAuditEvent(
      this.chainSigner,
      { ...clone(audit), seq: order.auditSeq },
      null,
      new Date(),
    );
    if (this.orders.has(order.orderId)) return false;
    this.orders.set(order.orderId, { ...clone(order), auditHead: chain.head });
    const own = this.items.get(order.orderId) ?? new Map<string, ItemRecord>();
    for (const item of items) own.set(item.itemId, clone(item));
    if (items.length > 0) this.items.set(order.orderId, own);
    this.putNotices(notices);
    this.audit.set(order.orderId, [chain.event]);
    this.heads.set(order.orderId, chain.head);
    if (completes) await this.idempotency?.complete(completes.key, completes.stored, completes.ttlSeconds);
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
  async listOrders(query: OrderListQuery, page: PageRequest) {
    const hasLocator = (order: OrderRecord, digests: readonly string[]) =>
      [...(this.items.get(order.orderId)?.values() ?? [])].some(
        (item) =>
          item.locator !== null && digests.includes(locatorSearchDigest(locatorKey(item.kind, item.locator))),
      );
    const all = [...this.orders.values()]
      .filter((order) => query.agencyIds.includes(order.agencyId))
      .filter((order) => query.status === null || order.status === query.status)
      .filter((order) => query.stage === null || order.stage === query.stage)
      .filter((order) => query.platformId === null || order.platformId === query.platformId)
      .filter((order) => query.reference === null || order.reference === query.reference)
      .filter((order) => query.locatorDigests === null || hasLocator(order, query.locatorDigests))
      .sort((left, right) => right.createdAt.localeCompare(left.createdAt));
    const start = offsetOf(page.cursor);
    return {
      items: all.slice(start, start + page.limit).map(clone),
      nextCursor: start + page.limit < all.length ? String(start + page.limit) : null,
    };
  }
  async listAudit(orderId: string, page: PageRequest, throughSeq?: number) {
    const all = (this.audit.get(orderId) ?? []).filter(
      (event) => throughSeq === undefined || event.seq <= throughSeq,
    );
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
  /** Like the index: open items with a locator and a digest, whatever their order's state; each digest looked up once. */
  async openItemsByLocator(digests: readonly string[]): Promise<OpenLocatorItem[]> {
    const wanted = new Set(digests);
    this.locatorQueries += wanted.size;
    const byDigest = new Map<string, OpenLocatorItem[]>();
    for (const items of this.items.values()) {
      for (const item of items.values()) {
        const digest = item.locatorDigest;
        if (!digest || !wanted.has(digest) || item.locator === null) continue;
        if (item.status !== 'pending' && item.status !== 'disputed') continue;
        const found = byDigest.get(digest) ?? [];
        if (found.length < MAX_OPEN_ITEMS_PER_LOCATOR)
          found.push({ digest, orderId: item.orderId, itemId: item.itemId });
        byDigest.set(digest, found);
      }
    }
    return [...byDigest.values()].flat();
  }
  async orderStates(orderIds: readonly string[]): Promise<OrderState[]> {
    return [...new Set(orderIds)].flatMap((orderId) => {
      const order = this.orders.get(orderId);
      if (!order) return [];
      const { agencyId, platformId, status, finalizedAt } = order;
      return [{ orderId, agencyId, platformId, status, finalizedAt }];
    });
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
