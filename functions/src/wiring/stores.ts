import { DynamoIdempotencyStore } from '../adapters/dynamodb-idempotency';
import { DynamoOpenLocatorIndex } from '../adapters/dynamodb-open-locators';
import { DynamoOrderList } from '../adapters/dynamodb-order-list';
import { DynamoOrderRepository } from '../adapters/dynamodb-orders';
import { DynamoPlatformOrderIndex } from '../adapters/dynamodb-platform-orders';
import { DynamoPlatformRepository } from '../adapters/dynamodb-platforms';
import { KmsChainSigner } from '../adapters/kms-signer';
import type { Config } from '../config';
import type { ChainSigner } from '../ports';
import { documentClient } from './clients/dynamodb';
import { kmsClient } from './clients/kms';
import { systemClock } from './system';

// The table and the audit signing key, which every function uses: the adapters over them, built per function.

/** Signs (and verifies) audit chain heads; null where the function has no key (heads are then unsigned). */
export function auditSigner(config: Config): ChainSigner | null {
  return config.auditSigningKeyId === null ? null : new KmsChainSigner(kmsClient, config.auditSigningKeyId);
}

export function orderRepository(config: Config, signer: ChainSigner | null): DynamoOrderRepository {
  return new DynamoOrderRepository(documentClient, config.tableName, signer);
}

export function orderList(config: Config): DynamoOrderList {
  return new DynamoOrderList(documentClient, config.tableName);
}

export function openLocatorIndex(config: Config): DynamoOpenLocatorIndex {
  return new DynamoOpenLocatorIndex(documentClient, config.tableName);
}

/** The orders addressed to each platform (`byPlatform`). */
export function platformOrderIndex(config: Config): DynamoPlatformOrderIndex {
  return new DynamoPlatformOrderIndex(documentClient, config.tableName);
}

export function platformRepository(config: Config): DynamoPlatformRepository {
  return new DynamoPlatformRepository(documentClient, config.tableName);
}

/** Agency Idempotency-Key records (`IDEMPOTENCY`) or platform webhook-id records (`WEBHOOK`). */
export function idempotencyStore(config: Config, kind: 'IDEMPOTENCY' | 'WEBHOOK'): DynamoIdempotencyStore {
  return new DynamoIdempotencyStore(documentClient, config.tableName, kind, systemClock);
}
