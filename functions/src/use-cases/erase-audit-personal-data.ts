import { NotFoundError } from '../domain/errors';
import type { Deps } from './deps';
import { changeOrder } from './order-changes';

/**
 * Erases the personal data held in an order's audit trail on a lawful request (UU PDP 27/2022): officer names,
 * notes and free-text reasons go, the digests that chain the events stay, so the trail still verifies. The erasure
 * itself is recorded as an audit event by the operator who carried it out.
 */
export async function eraseAuditPersonalData(
  deps: Pick<Deps, 'orders' | 'clock'>,
  input: { orderId: string; operatorId: string; requestReference: string },
): Promise<{ orderId: string; erasedEvents: number }> {
  if ((await deps.orders.getOrder(input.orderId)) === null)
    throw new NotFoundError(`order ${input.orderId} does not exist`);
  const now = deps.clock.now();
  const erasedEvents = await deps.orders.erasePersonalData(input.orderId, now);
  await changeOrder(deps, input.orderId, async (order) => ({
    result: null,
    change: {
      set: {},
      items: [],
      audit: {
        orderId: order.orderId,
        at: now.toISOString(),
        actor: { kind: 'operator', id: input.operatorId },
        action: 'personal_data_erased',
        stage: order.stage,
        details: { erasedEvents, requestReference: input.requestReference },
      },
    },
  }));
  return { orderId: input.orderId, erasedEvents };
}
