import { HttpWebhookSender } from '../adapters/http-webhook-sender';
import { loadConfig } from '../config';
import type { DeliverWebhookHandlerDeps } from '../handlers/deliver-webhook';
import { eventBridgePublisher } from './events';
import { platformSecretStore } from './secrets';
import { auditSigner, orderRepository, platformRepository } from './stores';
import { resolveHost, systemClock, webhookRulesOf } from './system';

/**
 * The table (orders, platforms) and audit key, the platforms' secrets to sign with, the bus for `takedown.notified`,
 * and the outbound HTTP sender held to the webhook URL rules.
 */
export function wireDeliverWebhook(env: NodeJS.ProcessEnv = process.env): DeliverWebhookHandlerDeps {
  const config = loadConfig(env, ['eventBus']);
  const webhookRules = webhookRulesOf(config);
  return {
    orders: orderRepository(config, auditSigner(config)),
    platforms: platformRepository(config),
    secrets: platformSecretStore(config),
    events: eventBridgePublisher(config),
    webhooks: new HttpWebhookSender(webhookRules),
    clock: systemClock,
    webhookRules,
    resolveHost,
  };
}
