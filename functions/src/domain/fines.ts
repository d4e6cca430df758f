import { parseDurationMs } from './duration';
import type { PolicyDocument } from './policy';

/**
 * Fine for one item for one run of being pending at ST2 or later: every accrual period that has started since
 * `since` costs `perItemPerPeriod` (the fine notice itself opens the first period). `until` is when the item
 * stopped being pending (a late removal stops accrual) or now.
 */
export function accruedFine(policy: PolicyDocument, since: Date, until: Date): number {
  const elapsed = until.getTime() - since.getTime();
  if (elapsed < 0) return 0;
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
): number {
  const running = accruingSince === null ? 0 : accruedFine(policy, accruingSince, now);
  return Math.min(policy.fine.capPerItem, settled + running);
}
