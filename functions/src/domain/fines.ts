import { parseDurationMs } from './duration';
import { type ClockPause, runningMs } from './legal-clock';
import type { PolicyDocument } from './policy';

/**
 * Fine for one item for one run of being pending at ST2 or later: every accrual period of running clock that has
 * started since `since` costs `perItemPerPeriod` (the fine notice itself opens the first period). `until` is when
 * the item stopped being pending (a late removal stops accrual) or now; a clarification's pause does not count.
 */
export function accruedFine(
  policy: PolicyDocument,
  since: Date,
  until: Date,
  pauses: readonly ClockPause[] = [],
): number {
  if (until.getTime() < since.getTime()) return 0;
  const elapsed = runningMs(since, until, pauses);
  const period = parseDurationMs(policy.fine.accrualPeriod);
  const periods = period <= 0 ? 1 : Math.floor(elapsed / period) + 1;
  return Math.min(policy.fine.capPerItem, periods * policy.fine.perItemPerPeriod);
}

/** Settled fine plus the run still accruing, never above the cap per item. */
export function totalFine(
  policy: PolicyDocument,
  settled: number,
  accruingSince: Date | null,
  now: Date,
  pauses: readonly ClockPause[] = [],
): number {
  const running = accruingSince === null ? 0 : accruedFine(policy, accruingSince, now, pauses);
  return Math.min(policy.fine.capPerItem, settled + running);
}

/** The parts of an order and an item that decide its fine. */
export interface FineState {
  order: {
    policy: PolicyDocument;
    st2At: string | null;
    finalizedAt: string | null;
    clockPauses?: readonly ClockPause[];
  };
  item: { status: string; fineSettled: number; fineAccruingSince: string | null };
}

/**
 * When the item's current run of fines began, or null when none is running: fines accrue on items still pending
 * once the order reached ST2, from the fine notice or, for an item upheld after it, from the uphold.
 */
export function fineAccruingSince(
  order: Pick<FineState['order'], 'st2At'>,
  item: Pick<FineState['item'], 'status' | 'fineAccruingSince'>,
): Date | null {
  if (item.status !== 'pending' || order.st2At === null) return null;
  return new Date(item.fineAccruingSince ?? order.st2At);
}

/** The item's fine at `now`: what is settled plus the running part, which stops when the order is final. */
export function itemFine({ order, item }: FineState, now: Date): number {
  const until = order.finalizedAt !== null ? new Date(order.finalizedAt) : now;
  return totalFine(order.policy, item.fineSettled, fineAccruingSince(order, item), until, order.clockPauses);
}

/** The fine an item keeps once answered at `at`: a late removal stops the fine from growing, what accrued stays. */
export function fineSettledAt({ order, item }: FineState, at: Date): number {
  // The points model imposes its fine once at ST2 (fine-formula.ts): nothing accrues to settle.
  if (order.policy.fine.model === 'points') return item.fineSettled;
  const since = fineAccruingSince(order, item);
  if (since === null) return item.fineSettled;
  const accrued = accruedFine(order.policy, since, at, order.clockPauses);
  return Math.min(order.policy.fine.capPerItem, item.fineSettled + accrued);
}

/** An item that becomes pending again at `at` (an upheld dispute) starts a new run if the order is past ST2. */
export function fineRestartFor(order: Pick<FineState['order'], 'st2At'>, at: Date): string | null {
  return order.st2At === null ? null : at.toISOString();
}
