import { randomBytes, randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import type { Config } from '../config';
import type { WebhookUrlRules } from '../domain/webhook-url-policy';
import type { Clock, IdGenerator } from '../ports';

export const systemClock: Clock = { now: () => new Date() };

export const randomIds: IdGenerator = {
  orderId: () => randomUUID(),
  secret: () => `whsec_${randomBytes(32).toString('base64')}`,
  subscriptionId: () => `sub_${randomBytes(12).toString('hex')}`,
};

/** Every address a host name resolves to; checked before a webhook URL is accepted and before every delivery. */
export async function resolveHost(hostname: string): Promise<string[]> {
  return (await lookup(hostname, { all: true })).map((entry) => entry.address);
}

export const webhookRulesOf = (config: Config): WebhookUrlRules => ({
  allowLoopback: config.allowLoopbackWebhooks,
  blockedPorts: config.blockedWebhookPorts,
});
