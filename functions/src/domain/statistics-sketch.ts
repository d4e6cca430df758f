/**
 * A log-bucket histogram (the DDSketch mapping) whose buckets are plain counters, so that durations can be kept
 * as additive per-day counters and still answer p50 / p90 / max. Every value is reported as the centre of its
 * bucket, within 1 % of the true value (relative accuracy (γ − 1) / (γ + 1) with γ = 1.02).
 */
export const SKETCH_GAMMA = 1.02;
export const SKETCH_RELATIVE_ACCURACY = (SKETCH_GAMMA - 1) / (SKETCH_GAMMA + 1);
const LOG_GAMMA = Math.log(SKETCH_GAMMA);

/** Bucket of a non-negative value (milliseconds); values below 1 share bucket 0, which reads as 0. */
export function sketchBucket(value: number): number {
  if (!(value >= 1)) return 0;
  return Math.max(1, Math.ceil(Math.log(value) / LOG_GAMMA));
}

/** The value a bucket stands for: within the relative accuracy of every value that falls in it. */
export function sketchValue(bucket: number): number {
  if (bucket <= 0) return 0;
  return (2 * SKETCH_GAMMA ** bucket) / (SKETCH_GAMMA + 1);
}

/**
 * Nearest-rank quantile (the lower one for an even count: q = 0.5 of [a, b] is a) from bucket counts;
 * null when empty.
 */
export function sketchQuantile(buckets: ReadonlyMap<number, number>, quantile: number): number | null {
  const ordered = [...buckets.entries()].filter(([, count]) => count > 0).sort(([a], [b]) => a - b);
  const total = ordered.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return null;
  const rank = Math.floor(quantile * (total - 1));
  let seen = 0;
  for (const [bucket, count] of ordered) {
    seen += count;
    if (seen > rank) return sketchValue(bucket);
  }
  return sketchValue(ordered[ordered.length - 1]?.[0] ?? 0);
}

/** The same quantile over exact values, as the sketch approximates it. */
export function exactQuantile(values: readonly number[], quantile: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(quantile * (sorted.length - 1))] ?? null;
}
