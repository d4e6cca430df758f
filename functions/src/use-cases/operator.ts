import { ConflictError, NotFoundError, UnprocessableError } from '../domain/errors';
import { retryWebhookNow } from '../domain/notices';
import { isFinalOrderStatus } from '../domain/order-rules';
import { NO_DELIVERY_HEALTH, platformHealthState } from '../domain/platform-health';
import { rotatedSecrets } from '../domain/platform-secrets';
import type { NewPlatform, PlatformRecord, PlatformSecrets } from '../domain/records';
import { checkAddress, checkWebhookUrl, UnsafeWebhookUrlError } from '../domain/webhook-url-policy';
import { MAX_NOTICES_PER_CHANGE } from '../ports';
import type { Deps } from './deps';
import { changeOrder, wakeIfWaiting } from './order-changes';

export type RegisterPlatformDeps = Pick<
  Deps,
  'platforms' | 'platformClients' | 'secrets' | 'clock' | 'ids' | 'webhookRules' | 'resolveHost' | 'staff'
>;
export type RotateSecretsDeps = Pick<Deps, 'platforms' | 'secrets' | 'clock' | 'ids'>;
export type RedeliverDeps = Pick<Deps, 'orders' | 'platforms' | 'workflow' | 'clock'>;

export function platformView(platform: PlatformRecord) {
  return {
    id: platform.platformId,
    name: platform.name,
    webhookUrl: platform.webhookUrl,
    contactEmail: platform.contactEmail,
    status: platform.status,
    createdAt: platform.createdAt,
    secretsRotatedAt: platform.secretsRotatedAt,
    deliveryHealth: deliveryHealthView(platform),
  };
}

function deliveryHealthView(platform: PlatformRecord) {
  const health = platform.deliveryHealth ?? NO_DELIVERY_HEALTH;
  return { state: platformHealthState(health), ...health };
}

/** Refuses URLs we must never call: plain http (outside loopback when allowed), private and metadata addresses. */
async function assertSafeWebhookUrl(
  deps: Pick<Deps, 'webhookRules' | 'resolveHost'>,
  text: string,
): Promise<void> {
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
    if (error instanceof UnsafeWebhookUrlError) {
      throw new UnprocessableError('unsafe webhook URL', [{ field: 'webhookUrl', message: error.message }], {
        cause: error,
      });
    }
    throw error;
  }
}

export async function registerPlatform(deps: RegisterPlatformDeps, body: NewPlatform) {
  await assertSafeWebhookUrl(deps, body.webhookUrl);
  const now = deps.clock.now().toISOString();
  const platform: PlatformRecord = {
    platformId: body.id,
    name: body.name,
    webhookUrl: body.webhookUrl,
    contactEmail: body.contactEmail,
    status: 'active',
    createdAt: now,
    secretsRotatedAt: null,
    disabledAt: null,
  };
  if ((await deps.platforms.get(body.id)) !== null)
    throw new ConflictError(`platform ${body.id} already exists`);
  const secrets: PlatformSecrets = {
    current: { notificationSecret: deps.ids.secret(), responseSecret: deps.ids.secret(), createdAt: now },
    previous: null,
  };
  // Secrets, the app client and the staff group first: a platform record without them would be unusable. A client
  // left over by a failed registration acts for nobody (only the record's machineClientIds do), and an existing
  // group is kept, so a retried registration succeeds.
  await deps.secrets.put(body.id, secrets);
  const machineClient = await deps.platformClients.createMachineClient(body.id);
  // Its staff's group, so that operators can add people to it (POST /v1/platforms/{platformId}/users).
  await deps.staff.ensurePlatformGroup(body.id);
  const created = await deps.platforms.create({ ...platform, machineClientIds: [machineClient.clientId] });
  if (!created) throw new ConflictError(`platform ${body.id} already exists`);
  return {
    platform: platformView(platform),
    notificationSecret: secrets.current.notificationSecret,
    responseSecret: secrets.current.responseSecret,
    previousSecretsValidUntil: null,
    // Shown this once: Tenggat keeps the client id only.
    machineClient: { ...machineClient, tokenUrl: deps.platformClients.tokenUrl },
  };
}

export async function listPlatforms(deps: Pick<Deps, 'platforms'>) {
  return { items: (await deps.platforms.list()).map(platformView) };
}

export async function getPlatform(deps: Pick<Deps, 'platforms'>, platformId: string) {
  const platform = await deps.platforms.get(platformId);
  if (platform === null) throw new NotFoundError(`platform ${platformId} does not exist`);
  return platformView(platform);
}

/** New secrets; the old pair stays valid (we sign with both, accept either) for 24 hours. */
export async function rotateSecrets(deps: RotateSecretsDeps, platformId: string) {
  const platform = await deps.platforms.get(platformId);
  const current = await deps.secrets.get(platformId);
  if (platform === null || current === null) throw new NotFoundError(`platform ${platformId} does not exist`);
  const now = deps.clock.now();
  const secrets = rotatedSecrets(
    current,
    { notificationSecret: deps.ids.secret(), responseSecret: deps.ids.secret() },
    now,
  );
  await deps.secrets.put(platformId, secrets);
  await deps.platforms.update(platformId, { secretsRotatedAt: now.toISOString() });
  return {
    platform: platformView({ ...platform, secretsRotatedAt: now.toISOString() }),
    notificationSecret: secrets.current.notificationSecret,
    responseSecret: secrets.current.responseSecret,
    previousSecretsValidUntil: secrets.previous?.validUntil ?? null,
  };
}

/**
 * An operator's redelivery: every notice of a non-final order whose webhook failed is tried again now, and a
 * platform that a 410 disabled is enabled again. It never restarts the clock: deadlines stay as they are.
 */
export async function redeliver(deps: RedeliverDeps, input: { orderId: string; operatorId: string }) {
  const now = deps.clock.now();
  const { before, after, result } = await changeOrder(deps, input.orderId, async (order) => {
    if (isFinalOrderStatus(order.status)) throw new ConflictError(`the order is already ${order.status}`);
    const retried = (await deps.orders.listNotices(order.orderId)).flatMap(
      (notice) => retryWebhookNow(notice, now) ?? [],
    );
    if (retried.length === 0) {
      throw new ConflictError('no webhook delivery of this order has failed: there is nothing to redeliver');
    }
    return {
      result: retried.map((notice) => notice.noticeId),
      change: {
        set: { taskToken: null },
        items: [],
        notices: retried.slice(0, MAX_NOTICES_PER_CHANGE),
        audit: {
          orderId: order.orderId,
          at: now.toISOString(),
          actor: { kind: 'operator', id: input.operatorId },
          action: 'redelivery_requested',
          stage: order.stage,
          details: { noticeIds: retried.map((notice) => notice.noticeId) },
        },
      },
    };
  });
  const platform = await deps.platforms.get(after.platformId);
  if (platform?.status === 'disabled')
    await deps.platforms.update(after.platformId, { status: 'active', disabledAt: null });
  await wakeIfWaiting(deps, before, { changed: 'redelivery' });
  return { id: after.orderId, status: after.status, noticeIds: result };
}
