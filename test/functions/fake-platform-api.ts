import { randomBytes } from 'node:crypto';
import type {
  MachineClient,
  PageRequest,
  PlatformClients,
  PlatformOrderIndex,
} from '../../functions/src/ports';
import type { InMemoryOrders } from './fake-stores';

/** The `byPlatform` index over the in-memory orders: newest first, offset cursors. */
export class InMemoryPlatformOrders implements PlatformOrderIndex {
  constructor(private readonly orders: InMemoryOrders) {}
  async listOrders(platformId: string, filter: { status: string | null }, page: PageRequest) {
    const all = [...this.orders.orders.values()]
      .filter((order) => order.platformId === platformId)
      .filter((order) => filter.status === null || order.status === filter.status)
      .sort((left, right) => right.createdAt.localeCompare(left.createdAt));
    const start = page.cursor === null ? 0 : Number(page.cursor);
    return {
      items: all.slice(start, start + page.limit).map((order) => structuredClone(order)),
      nextCursor: start + page.limit < all.length ? String(start + page.limit) : null,
    };
  }
}

/** Records the machine clients it creates; `failNext` makes the next creation fail as Cognito would. */
export class FakePlatformClients implements PlatformClients {
  readonly tokenUrl = 'https://tenggat-test.auth.ap-southeast-3.amazoncognito.com/oauth2/token';
  created: { platformId: string; client: MachineClient }[] = [];
  failNext = false;
  async createMachineClient(platformId: string): Promise<MachineClient> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('LimitExceededException');
    }
    const client = {
      clientId: randomBytes(13).toString('hex'),
      clientSecret: randomBytes(26).toString('hex'),
    };
    this.created.push({ platformId, client });
    return client;
  }
}
