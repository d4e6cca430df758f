import { type IntakeRequest, intakeBodyKey, intakeSlices } from '../domain/intake';
import { acceptingOrderRecords, firstNotice, type NewOrder, newItemRecords } from '../domain/new-order';
import type { OrderRecord } from '../domain/records';
import type { Deps } from './deps';
import { changeOrder } from './order-changes';
import { type OrderView, orderView } from './views';

/** What the submit needs to accept a large order in the background. */
export type AcceptInBackgroundDeps = Pick<
  Deps,
  'orders' | 'intakeBodies' | 'intake' | 'workflow' | 'clock' | 'policy'
>;

/** What the intake function needs: the marker and items, the kept body, itself (to go on) and the workflow. */
export type AcceptItemsDeps = Pick<Deps, 'orders' | 'intakeBodies' | 'intake' | 'workflow' | 'clock'>;

export type IntakeOutcome =
  /** Nothing to do: the order is gone or already past `accepting` (another invocation finished it). */
  | { state: 'not_accepting'; status: string | null }
  /** This invocation wrote its share; a fresh one goes on from `itemsAccepted`. */
  | { state: 'continued'; itemsAccepted: number }
  /** Every item is in: the order is `notifying` and its execution started. */
  | { state: 'complete'; itemsAccepted: number };

export class IntakeBodyMissingError extends Error {
  override name = 'IntakeBodyMissingError';
}

/**
 * The submit's side of a large order: keeps the validated body, then creates the marker `accepting` (body first, so
 * a marker always finds its body; a retry after a crash rewrites the same body under the same order id) and asks
 * for the background intake. Answers the order as accepted: no item is written yet, `itemsAccepted` is 0.
 */
export async function acceptInBackground(
  deps: AcceptInBackgroundDeps,
  input: { agencyId: string; order: NewOrder },
  claimed: { orderId: string; createdAt: string },
): Promise<OrderView> {
  const { orderId, createdAt } = claimed;
  const bodyKey = intakeBodyKey(orderId);
  const { order, audit } = acceptingOrderRecords(input.order, {
    orderId,
    agencyId: input.agencyId,
    createdAt,
    policy: deps.policy,
    executionArn: deps.workflow.executionArnOf(orderId),
    bodyKey,
  });
  await deps.intakeBodies.put(bodyKey, input.order);
  const created = await deps.orders.createOrder(order, audit, []);
  const stored: OrderRecord = created ? order : ((await deps.orders.getOrder(orderId)) ?? order);
  // A retry whose first attempt crashed after the marker asks again: the intake resumes where it stopped.
  if (stored.status === 'accepting') {
    await deps.intake.start({ orderId, from: stored.intake?.itemsAccepted ?? 0, trigger: 'submit' });
  }
  return orderView(stored, [], null, [], 0, deps.clock.now());
}

/**
 * One intake invocation: writes the next slices of the order's items (at most `INTAKE_ITEMS_PER_INVOCATION`),
 * recording after each slice how far it got, then either hands the rest to a fresh invocation or, once every item
 * is in, moves the order to `notifying` with its first notice and starts its execution as a small order's submit
 * does. Resumes from the marker's progress, so a re-invocation after a crash (Lambda's retry, the reconciler) and a
 * concurrent duplicate both rewrite at most one slice, with the same records.
 */
export async function acceptOrderItems(
  deps: AcceptItemsDeps,
  request: IntakeRequest,
): Promise<IntakeOutcome> {
  const order = await deps.orders.getOrder(request.orderId);
  if (order === null || order.status !== 'accepting' || !order.intake) {
    return { state: 'not_accepting', status: order?.status ?? null };
  }
  const submitted = await deps.intakeBodies.get(order.intake.bodyKey);
  if (submitted === null) {
    throw new IntakeBodyMissingError(`order ${order.orderId}: its body ${order.intake.bodyKey} is gone`);
  }
  const total = submitted.items.length;
  let accepted = order.intake.itemsAccepted;
  for (const slice of intakeSlices(total, accepted)) {
    // Another invocation may have gone further meanwhile: skip what it wrote.
    if (slice.end <= accepted) continue;
    await writeSlice(deps, order, submitted, slice);
    const progress = await recordProgress(deps, order.orderId, slice.end);
    if (progress === null) return { state: 'not_accepting', status: null };
    accepted = progress;
  }
  if (accepted < total) {
    await deps.intake.start({ orderId: order.orderId, from: accepted, trigger: 'continue' });
    return { state: 'continued', itemsAccepted: accepted };
  }
  await completeIntake(deps, order.orderId, total);
  await deps.workflow.start(order.orderId);
  return { state: 'complete', itemsAccepted: total };
}

/** Writes items [start, end) (idempotent overwrites: the records derive from the kept body alone). */
async function writeSlice(
  deps: Pick<Deps, 'orders'>,
  order: OrderRecord,
  submitted: NewOrder,
  slice: { start: number; end: number },
): Promise<void> {
  const items = newItemRecords(submitted, order.orderId, slice.start, slice.end);
  // Per-slice checks (e.g. duplicate locators across orders) go here, before the slice is written.
  await deps.orders.putItems(items);
}

/** Moves `itemsAccepted` up to `end` (never down: a concurrent invocation may be ahead); null once not accepting. */
async function recordProgress(deps: AcceptItemsDeps, orderId: string, end: number): Promise<number | null> {
  const now = deps.clock.now().toISOString();
  const { result } = await changeOrder(deps, orderId, async (current) => {
    const intake = current.intake;
    if (current.status !== 'accepting' || !intake) return { change: null, result: null };
    if (intake.itemsAccepted >= end) return { change: null, result: intake.itemsAccepted };
    return {
      result: end,
      change: { set: { intake: { ...intake, itemsAccepted: end, updatedAt: now } }, items: [], audit: null },
    };
  });
  return result;
}

/** `accepting` → `notifying`, with the order's first notice (its grace period counts from now, not the 202). */
async function completeIntake(deps: AcceptItemsDeps, orderId: string, total: number): Promise<void> {
  const now = deps.clock.now();
  await changeOrder(deps, orderId, async (current) => {
    const intake = current.intake;
    if (current.status !== 'accepting' || !intake) return { change: null, result: null };
    return {
      result: null,
      change: {
        set: {
          status: 'notifying',
          noticeSeq: 1,
          intake: {
            ...intake,
            itemsAccepted: total,
            updatedAt: now.toISOString(),
            completedAt: now.toISOString(),
          },
        },
        items: [],
        notices: [firstNotice(current, now)],
        audit: null,
      },
    };
  });
}
