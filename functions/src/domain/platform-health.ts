import type { PlatformDeliveryHealth, PlatformDeliveryOutcome } from './records';

export const NO_DELIVERY_HEALTH: PlatformDeliveryHealth = {
  lastWebhookSuccessAt: null,
  lastWebhookFailureAt: null,
  lastWebhookHttpStatus: null,
  lastWebhookError: null,
  consecutiveWebhookFailures: 0,
  lastEmail: null,
};

/**
 * The health after one delivery: a webhook success ends a run of failures, a failure adds to it and is kept with
 * its status and error; an email is remembered whatever became of it. (The DynamoDB adapter writes the same with
 * `SET`/`ADD`, so that concurrent deliveries lose nothing.)
 */
export function platformHealthAfter(
  health: PlatformDeliveryHealth,
  outcome: PlatformDeliveryOutcome,
): PlatformDeliveryHealth {
  if (outcome.channel === 'email') {
    const { at, orderId, sent, error } = outcome;
    return { ...health, lastEmail: { at, orderId, sent, error } };
  }
  if (outcome.delivered)
    return { ...health, lastWebhookSuccessAt: outcome.at, consecutiveWebhookFailures: 0 };
  return {
    ...health,
    lastWebhookFailureAt: outcome.at,
    lastWebhookHttpStatus: outcome.httpStatus,
    lastWebhookError: outcome.error ?? `HTTP ${outcome.httpStatus}`,
    consecutiveWebhookFailures: health.consecutiveWebhookFailures + 1,
  };
}

/** `unknown` before any webhook attempt, `failing` while the last attempts failed, else `ok`. */
export function platformHealthState(health: PlatformDeliveryHealth): 'unknown' | 'ok' | 'failing' {
  if (health.consecutiveWebhookFailures > 0) return 'failing';
  return health.lastWebhookSuccessAt === null ? 'unknown' : 'ok';
}
