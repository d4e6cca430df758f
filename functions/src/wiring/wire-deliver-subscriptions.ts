import { DynamoOrderRepository } from '../adapters/dynamodb-orders';
import { HttpWebhookSender } from '../adapters/http-webhook-sender';
import { loadConfig } from '../config';
import type { DeliverSubscriptionsDeps } from '../use-cases/deliver-subscriptions';
import { documentClient } from './clients/dynamodb';
import { subscriptionRepository, subscriptionSecretStore } from './subscription-stores';
import { resolveHost, systemClock, webhookRulesOf } from './system';

/**
 * The table (the order for its agency and policy, the agency's subscriptions), their secrets to sign with, and the
 * outbound HTTP sender held to the webhook URL rules. No audit key: nothing here changes an order.
 */
export function wireDeliverSubscriptions(env: NodeJS.ProcessEnv = process.env): DeliverSubscriptionsDeps {
  const config = loadConfig(env, []);
  const webhookRules = webhookRulesOf(config);
  return {
    // Built here rather than in stores.ts, which would bring the KMS client this function never calls.
    orders: new DynamoOrderRepository(documentClient, config.tableName, null),
    subscriptions: subscriptionRepository(config),
    subscriptionSecrets: subscriptionSecretStore(config),
    webhooks: new HttpWebhookSender(webhookRules),
    webhookRules,
    resolveHost,
    clock: systemClock,
  };
}
