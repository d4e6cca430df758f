import { loadConfig } from '../config';
import type { SubscriptionsHandlerDeps } from '../handlers/subscriptions';
import { subscriptionRepository, subscriptionSecretStore } from './subscription-stores';
import { randomIds, resolveHost, systemClock, webhookRulesOf } from './system';

/** The table (subscriptions), Secrets Manager for their secrets, and the webhook URL rules new URLs must pass. */
export function wireSubscriptions(env: NodeJS.ProcessEnv = process.env): SubscriptionsHandlerDeps {
  const config = loadConfig(env, ['agencyClients']);
  return {
    subscriptions: subscriptionRepository(config),
    subscriptionSecrets: subscriptionSecretStore(config),
    clock: systemClock,
    ids: randomIds,
    webhookRules: webhookRulesOf(config),
    resolveHost,
    agencyClients: config.agencyClients,
  };
}
