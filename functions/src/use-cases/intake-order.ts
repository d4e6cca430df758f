import { UnprocessableError } from '../domain/errors';
import { type IntakeRequest, intakeBodyKey, intakeSlices } from '../domain/intake';
import type { DuplicateEntry } from '../domain/locator';
import { acceptingOrderRecords, firstNotice, type NewOrder, newItemRecords } from '../domain/new-order';
import type { OrderRecord } from '../domain/records';
import type { Deps } from './deps';
import { duplicateFieldErrors, findDuplicates, withDuplicates } from './find-duplicates';
import { changeOrder } from './order-changes';
import type { SubmittedOrder } from './submit-order';
import { orderView } from './views';

/** What the submit needs to accept a large order in the background. */
export type AcceptInBackgroundDeps = Pick<
  Deps,
  'orders' | 'openLocators' | 'intakeBodies' | 'intake' | 'workflow' | 'clock' | 'policy'
>;

/** What the intake function needs: the marker and items, the kept body, itself (to go on) and the workflow. */
export type AcceptItemsDeps = Pick<
  Deps,
  'orders' | 'openLocators' | 'intakeBodies' | 'intake' | 'workflow' | 'clock'
>;

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
 * for the background intake. Answers the order as accepted: no item is written yet, `itemsAccepted` is 0, and its
 * duplicates are found slice by slice in the background (each item shows its own). Under `duplicateLocators: reject`
 * every slice is checked here first, so that a refusal stays a synchronous 422 and nothing is written.
 */
export async function acceptInBackground(
  deps: AcceptInBackgroundDeps,
  input: { agencyId: string; order: NewOrder },
  claimed: { orderId: string; createdAt: string },
): Promise<SubmittedOrder> {
  const { orderId, createdAt } = claimed;
  if (deps.policy.duplicateLocators === 'reject') {
    const duplicates = await duplicatesBySlice(deps, input.order, { orderId, agencyId: input.agencyId });
    if (duplicates.length > 0) {
      throw new UnprocessableError(
        `${duplicates.length} item(s) are already open in an order to this platform`,
        duplicateFieldErrors(duplicates, orderId),
      );
    }
  }
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
  return { ...orderView(stored, [], null, [], 0, deps.clock.now()), duplicates: [] };
}

/** Every slice of a submission checked for duplicates, before anything is written. */
async function duplicatesBySlice(
  deps: Pick<Deps, 'openLocators'>,
  submitted: NewOrder,
  identity: { orderId: string; agencyId: string },
): Promise<DuplicateEntry[]> {
  const found: DuplicateEntry[] = [];
  for (const slice of intakeSlices(submitted.items.length, 0, submitted.items.length)) {
    found.push(
      ...(await findDuplicates(deps, {
        items: submitted.items.slice(slice.start, slice.end),
        platformId: submitted.platformId,
        agencyId: identity.agencyId,
        orderId: identity.orderId,
        firstIndex: slice.start,
      })),
    );
  }
  return found;
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
    const duplicates = await writeSlice(deps, order, submitted, slice);
    const progress = await recordProgress(deps, order.orderId, slice.end, duplicates);
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

/**
 * Writes items [start, end) with their duplicates (idempotent overwrites: the records derive from the kept body and
 * the open-locators index, which holds this order's earlier slices too); answers how many were duplicates.
 */
async function writeSlice(
  deps: Pick<Deps, 'orders' | 'openLocators'>,
  order: OrderRecord,
  submitted: NewOrder,
  slice: { start: number; end: number },
): Promise<number> {
  const duplicates = await findDuplicates(deps, {
    items: submitted.items.slice(slice.start, slice.end),
    platformId: order.platformId,
    agencyId: order.agencyId,
    orderId: order.orderId,
    firstIndex: slice.start,
  });
  const records = { order, items: newItemRecords(submitted, order.orderId, slice.start, slice.end) };
  await deps.orders.putItems(withDuplicates(records, duplicates).items, order);
  return duplicates.length;
}

/**
 * Moves `itemsAccepted` up to `end` and counts the slice's duplicates on the marker, once (never down: a concurrent
 * invocation may be ahead, and then its count is already in); null once not accepting.
 */
async function recordProgress(
  deps: AcceptItemsDeps,
  orderId: string,
  end: number,
  duplicates: number,
): Promise<number | null> {
  const now = deps.clock.now().toISOString();
  const { result } = await changeOrder(deps, orderId, async (current) => {
    const intake = current.intake;
    if (current.status !== 'accepting' || !intake) return { change: null, result: null };
    if (intake.itemsAccepted >= end) return { change: null, result: intake.itemsAccepted };
    return {
      result: end,
      change: {
        set: {
          intake: { ...intake, itemsAccepted: end, updatedAt: now },
          duplicateCount: (current.duplicateCount ?? 0) + duplicates,
        },
        items: [],
        audit: null,
      },
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
