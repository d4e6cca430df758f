import type { SubscriptionRecord } from '../../functions/src/domain/subscriptions';
import type { SubscriptionRepository, SubscriptionSecretStore } from '../../functions/src/ports';

const clone = <T>(value: T): T => structuredClone(value);
const keyOf = (agencyId: string, subscriptionId: string) => `${agencyId}\n${subscriptionId}`;

/** Subscriptions in memory, keyed by agency as in the table: another agency's id finds nothing. */
export class InMemorySubscriptions implements SubscriptionRepository {
  records = new Map<string, SubscriptionRecord>();
  async create(subscription: SubscriptionRecord) {
    this.records.set(keyOf(subscription.agencyId, subscription.subscriptionId), clone(subscription));
  }
  async get(agencyId: string, subscriptionId: string) {
    const found = this.records.get(keyOf(agencyId, subscriptionId));
    return found ? clone(found) : null;
  }
  async list(agencyId: string) {
    return [...this.records.values()]
      .filter((subscription) => subscription.agencyId === agencyId)
      .sort((left, right) => left.createdAt.localeCompare(right.createdAt))
      .map(clone);
  }
  async update(
    agencyId: string,
    subscriptionId: string,
    set: Partial<Pick<SubscriptionRecord, 'status' | 'disabledAt' | 'lastDelivery'>>,
  ) {
    const key = keyOf(agencyId, subscriptionId);
    const found = this.records.get(key);
    if (found) this.records.set(key, { ...found, ...clone(set) });
  }
  async delete(agencyId: string, subscriptionId: string) {
    return this.records.delete(keyOf(agencyId, subscriptionId));
  }
}

export class InMemorySubscriptionSecrets implements SubscriptionSecretStore {
  secrets = new Map<string, string>();
  async create(subscriptionId: string, secret: string) {
    this.secrets.set(subscriptionId, secret);
  }
  async get(subscriptionId: string) {
    return this.secrets.get(subscriptionId) ?? null;
  }
  async delete(subscriptionId: string) {
    this.secrets.delete(subscriptionId);
  }
}
