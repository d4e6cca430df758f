import type { EngineStorage } from '../store';
import { redrivenEventKey } from './journal';

/**
 * The journal's keys, per execution:
 * - `<prefix><state>#<visit>`: a finished visit of a state (a StepRecord: output and next, or error and cause);
 * - `<prefix>#end`: the output of a Parallel branch or Map iteration that succeeded (`<prefix>` ends with `/`);
 * - `<step>:due`, `<step>:retry<n>`, `<step>:a<n>:outcome|deadline|submitted`: what one attempt of a step
 *   fixed (a due time, an outcome), so that a replay repeats it.
 */
const ATTEMPT_ENTRY = /:(?:due|retry\d+|a\d+:(?:outcome|deadline|submitted))$/;

function isFailedStep(value: string): boolean {
  const record = JSON.parse(value) as { next?: unknown; error?: unknown; cause?: unknown };
  return record.error !== undefined || record.cause !== undefined || record.next === undefined;
}

/** The entries a redrive forgets: failed steps and what their attempts fixed; successful steps stay. */
export function entriesToForget(journal: Map<string, string>): string[] {
  const forget: string[] = [];
  for (const [key, value] of journal) {
    if (ATTEMPT_ENTRY.test(key) || (/#\d+$/.test(key) && isFailedStep(value))) forget.push(key);
  }
  return forget;
}

/**
 * RedriveExecution's write: the execution is RUNNING again with one more redrive, its failed steps are
 * forgotten (they run again, successful ones are replayed), its old task tokens answer TaskTimedOut, and the history
 * has an ExecutionRedriven event. One transaction; false when the execution was not redrivable any more.
 */
export function redriveInStore(
  store: EngineStorage,
  arn: string,
  redriveMs: number,
  clientToken: string | undefined,
): boolean {
  return store.transaction(() => {
    if (!store.redriveExecution(arn, redriveMs)) return false;
    const redriveCount = store.getExecution(arn)?.redriveCount ?? 1;
    for (const key of entriesToForget(store.journal(arn))) store.deleteJournal(arn, key);
    store.retireTokensOf(arn, `@redrive${redriveCount}`);
    const lastEventId = store.maxEventId(arn);
    store.insertEvents(arn, [
      {
        key: redrivenEventKey(redriveCount),
        id: lastEventId + 1,
        previousEventId: lastEventId,
        type: 'ExecutionRedriven',
        timestampMs: redriveMs,
        details: JSON.stringify({ executionRedrivenEventDetails: { redriveCount } }),
      },
    ]);
    if (clientToken !== undefined) store.rememberRedriveToken(arn, clientToken, redriveMs);
    return true;
  });
}
