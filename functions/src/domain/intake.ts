/**
 * Asynchronous intake of large orders (issue 11): above a threshold the submit keeps the validated body, creates the
 * order in status `accepting` and answers 202; the intake function writes the items slice by slice, recording its
 * progress on the marker, and moves the order to `notifying` once every item is in. Pure rules; the use cases in
 * `use-cases/intake-order.ts` carry them out.
 */

/** The default of the `tenggat:asyncIntakeItems` context key: orders with more items are accepted in the background. */
export const DEFAULT_ASYNC_INTAKE_ITEMS = 1_000;
/** Items written per slice: one `putItems` and one progress update on the marker. */
export const INTAKE_SLICE_ITEMS = 1_000;
/** Items one intake invocation writes at most before it hands the rest to a fresh invocation of itself. */
export const INTAKE_ITEMS_PER_INVOCATION = 5_000;

export interface IntakeProgress {
  /** Where the validated body is kept (the reports bucket, under `intake/`). */
  bodyKey: string;
  /** Items 1..itemsAccepted are written; the next slice starts after them. */
  itemsAccepted: number;
  /** The last progress (or the creation): what the reconciler measures a stall by. */
  updatedAt: string;
  /** When the last item was written and the order moved to `notifying`. */
  completedAt: string | null;
}

/** Who asked an intake invocation to run: the submit, the intake itself (the next slices), or the reconciler. */
export type IntakeTrigger = 'submit' | 'continue' | 'reconciler';

/** The payload of an intake invocation. `from` is where the caller expects it to resume; the marker decides. */
export interface IntakeRequest {
  orderId: string;
  from: number;
  trigger: IntakeTrigger;
}

/** Whether an order of this many items is accepted in the background. */
export const acceptsInBackground = (itemCount: number, threshold: number): boolean => itemCount > threshold;

/** Where the bodies are kept in the reports bucket; the submit and intake grants are scoped to it. */
export const INTAKE_KEY_PREFIX = 'intake/';
export const intakeBodyKey = (orderId: string): string => `${INTAKE_KEY_PREFIX}${orderId}.json`;

/** The half-open item ranges [start, end) one invocation writes, from `from`, at most `budget` items in all. */
export function intakeSlices(
  total: number,
  from: number,
  budget = INTAKE_ITEMS_PER_INVOCATION,
  sliceItems = INTAKE_SLICE_ITEMS,
): { start: number; end: number }[] {
  const slices: { start: number; end: number }[] = [];
  const stop = Math.min(total, from + budget);
  for (let start = from; start < stop; start += sliceItems) {
    slices.push({ start, end: Math.min(start + sliceItems, stop) });
  }
  return slices;
}

/**
 * Whether an accepting order's intake has stopped moving (its invocation crashed past its retries): no progress for
 * the policy's `intakeStallPeriod` (`stallMs`).
 */
export function intakeStalled(intake: IntakeProgress, now: Date, stallMs: number): boolean {
  return intake.completedAt === null && now.getTime() - Date.parse(intake.updatedAt) >= stallMs;
}
