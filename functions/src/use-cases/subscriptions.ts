import { ConflictError, NotFoundError, UnprocessableError } from '../domain/errors';
import {
  SUBSCRIPTION_EVENTS,
  type SubscriptionEvent,
  type SubscriptionRecord,
  type SubscriptionView,
  subscriptionView,
  unknownEvents,
} from '../domain/subscriptions';
import { checkAddress, checkWebhookUrl, UnsafeWebhookUrlError } from '../domain/webhook-url-policy';
import type { Deps } from './deps';

/** Every event fans out to each subscription of the agency: a bound keeps one event's delivery round small. */
export const MAX_SUBSCRIPTIONS_PER_AGENCY = 20;

export type SubscriptionDeps = Pick<
  Deps,
  'subscriptions' | 'subscriptionSecrets' | 'clock' | 'ids' | 'webhookRules' | 'resolveHost'
>;

/** Refuses what the platform webhook URL rules refuse: plain http, credentials, private and metadata addresses. */
async function assertSafeUrl(deps: Pick<Deps, 'webhookRules' | 'resolveHost'>, text: string): Promise<void> {
  try {
    const url = checkWebhookUrl(text, deps.webhookRules);
    let addresses: string[] = [];
    try {
      addresses = await deps.resolveHost(url.hostname.replace(/^\[|\]$/g, ''));
    } catch {
      // A name that does not resolve yet is checked again at every delivery.
    }
    for (const address of addresses) checkAddress(address, deps.webhookRules);
  } catch (error) {
    if (error instanceof UnsafeWebhookUrlError)
      throw new UnprocessableError('unsafe webhook URL', [{ field: 'url', message: error.message }], {
        cause: error,
      });
    throw error;
  }
}

/** The events a subscription takes: every one by default; unknown names are refused, each named. */
function chosenEvents(requested: readonly string[] | undefined): SubscriptionEvent[] {
  if (requested === undefined) return [...SUBSCRIPTION_EVENTS];
  const unknown = unknownEvents(requested);
  if (unknown.length > 0)
    throw new UnprocessableError(
      `unknown events: ${unknown.join(', ')}`,
      unknown.map((name) => ({ field: 'events', message: `unknown event "${name}"` })),
    );
  return SUBSCRIPTION_EVENTS.filter((name) => requested.includes(name));
}

/** Creates a subscription; its secret is answered once here and kept only in the secret store. */
export async function createSubscription(
  deps: SubscriptionDeps,
  input: { agencyId: string; url: string; events?: readonly string[] },
): Promise<{ subscription: SubscriptionView; secret: string }> {
  const events = chosenEvents(input.events);
  await assertSafeUrl(deps, input.url);
  if ((await deps.subscriptions.list(input.agencyId)).length >= MAX_SUBSCRIPTIONS_PER_AGENCY)
    throw new ConflictError(
      `an agency has at most ${MAX_SUBSCRIPTIONS_PER_AGENCY} subscriptions: delete one before adding another`,
    );
  const subscription: SubscriptionRecord = {
    subscriptionId: deps.ids.subscriptionId(),
    agencyId: input.agencyId,
    url: input.url,
    events,
    status: 'active',
    createdAt: deps.clock.now().toISOString(),
    disabledAt: null,
    lastDelivery: null,
  };
  const secret = deps.ids.secret();
  // Secret first: a subscription without one could not be signed for.
  await deps.subscriptionSecrets.create(subscription.subscriptionId, secret);
  await deps.subscriptions.create(subscription);
  return { subscription: subscriptionView(subscription), secret };
}

export async function listSubscriptions(
  deps: Pick<Deps, 'subscriptions'>,
  agencyId: string,
): Promise<SubscriptionView[]> {
  return (await deps.subscriptions.list(agencyId)).map(subscriptionView);
}

/** One of the agency's own subscriptions; another agency's is as unknown as one that never existed. */
export async function getSubscription(
  deps: Pick<Deps, 'subscriptions'>,
  input: { agencyId: string; subscriptionId: string },
): Promise<SubscriptionView> {
  const subscription = await deps.subscriptions.get(input.agencyId, input.subscriptionId);
  if (subscription === null) throw new NotFoundError(`no subscription ${input.subscriptionId}`);
  return subscriptionView(subscription);
}

/** Deletes the subscription and its secret; nothing is sent to it afterwards. */
export async function deleteSubscription(
  deps: Pick<Deps, 'subscriptions' | 'subscriptionSecrets'>,
  input: { agencyId: string; subscriptionId: string },
): Promise<void> {
  if (!(await deps.subscriptions.delete(input.agencyId, input.subscriptionId)))
    throw new NotFoundError(`no subscription ${input.subscriptionId}`);
  await deps.subscriptionSecrets.delete(input.subscriptionId);
}
