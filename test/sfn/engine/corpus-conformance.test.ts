import { describe, expect, it } from 'vitest';
import { runCorpus } from './run-corpus';

describe('AWS-recorded conformance corpus, in process', () => {
  it('matches AWS on status, output and error for at least 98% of the executions', async () => {
    const report = await runCorpus(undefined, 16);
    expect(report.total).toBe(927);
    expect(report.pass / report.total).toBeGreaterThanOrEqual(0.98);
    // Event types of the recorded histories, in order (or as a multiset where branches interleave).
    expect(
      (report.historyCompared - report.historyMismatches.length) / report.historyCompared,
    ).toBeGreaterThanOrEqual(0.97);
  }, 300_000);
});
