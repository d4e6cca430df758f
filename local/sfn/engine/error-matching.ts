/**
 * How Retry and Catch pick a rule for an error name, following the AWS developer guide ("Error names"):
 * `States.ALL` matches every error except `States.Runtime` (not retriable, not catchable... by the wildcard),
 * `States.TaskFailed` matches every error a task can raise except `States.Timeout`.
 */
export function errorMatches(errorEquals: unknown, error: string): boolean {
  if (!Array.isArray(errorEquals)) return false;
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
