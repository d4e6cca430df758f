/**
 * How Retry and Catch pick a rule for an error name, following the AWS developer guide ("Error names"):
 * `States.Runtime` is terminal (AWS fails the execution even when a Catch names it), `States.ALL` matches
 * every other error, `States.TaskFailed` every error except `States.Timeout`.
 */
export function errorMatches(errorEquals: unknown, error: string): boolean {
  if (!Array.isArray(errorEquals) || error === 'States.Runtime') return false;
  for (const name of errorEquals) {
    if (name === error) return true;
    if (name === 'States.ALL' && error !== 'States.Runtime') return true;
    if (name === 'States.TaskFailed' && error !== 'States.Timeout' && error !== 'States.Runtime') return true;
  }
  return false;
}

export interface Retrier {
  ErrorEquals?: unknown;
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

/** Delay in ms before retry number `retryIndex` (0-based) of this retrier. */
export function retryDelayMs(
  retrier: Retrier,
  retryIndex: number,
  random: () => number = Math.random,
): number {
  const interval = retrier.IntervalSeconds ?? 1;
  const backoff = retrier.BackoffRate ?? 2;
  let seconds = interval * backoff ** retryIndex;
  if (retrier.MaxDelaySeconds !== undefined) seconds = Math.min(seconds, retrier.MaxDelaySeconds);
  if (retrier.JitterStrategy === 'FULL') seconds = random() * seconds;
  return Math.round(seconds * 1000);
}
