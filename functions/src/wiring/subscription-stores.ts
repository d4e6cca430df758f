import { DynamoSubscriptionRepository } from '../adapters/dynamodb-subscriptions';
import { SecretsManagerSubscriptionSecrets } from '../adapters/subscription-secrets';
import type { Config } from '../config';
import { documentClient } from './clients/dynamodb';
import { secretsManagerClient } from './clients/secrets-manager';

export const subscriptionRepository = (config: Config): DynamoSubscriptionRepository =>
  new DynamoSubscriptionRepository(documentClient, config.tableName);

export const subscriptionSecretStore = (config: Config): SecretsManagerSubscriptionSecrets =>
  new SecretsManagerSubscriptionSecrets(
    secretsManagerClient,
    config.subscriptionSecretPrefix,
    config.subscriptionSecretKmsKeyId,
  );
