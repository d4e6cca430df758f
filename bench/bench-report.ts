/**
 * What a benchmark file (`bench/<name>.bench.ts`) exports: `run()` resolving to a report that `bench/run.ts`
 * prints and stores as `bench/results/<name>.json`.
 */
export interface BenchReport {
  name: string;
  description: string;
  /** One row per measurement; keys become table columns. */
  rows: Record<string, string | number | null>[];
  /** Method notes, ratios and caveats, printed below the table. */
  notes: string[];
}

export type BenchRun = (options: { quick: boolean }) => Promise<BenchReport>;
