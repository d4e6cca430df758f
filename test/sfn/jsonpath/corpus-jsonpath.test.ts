import { describe, expect, it } from 'vitest';
import {
  CORPUS_DIRECTORY,
  type CorpusCase,
  corpusAvailable,
  isWalkable,
  loadCorpus,
  walkDefinition,
} from './corpus-walker';

interface Comparator {
  checkCase(corpusCase: CorpusCase, result: unknown): { ok: boolean; reasons: string[] };
}

// Cases that need more than this library: the runtime's payload size limit and express-execution context ARNs.
const OUT_OF_SCOPE = new Set([
  'error_handling/test_states_errors.py::TestStatesErrors::test_start_large_input',
  'express/test_express_async.py::TestExpressAsync::test_query_runtime_memory',
  'express/test_express_sync.py::TestExpressSync::test_query_runtime_memory',
]);

describe.runIf(corpusAvailable())('AWS-recorded JSONPath Pass/Choice/Succeed/Fail executions', () => {
  const cases = corpusAvailable() ? loadCorpus().filter((c) => isWalkable(c.definition)) : [];

  it('reproduces the recorded outcome of every walkable case', async () => {
    const comparator = (await import(`${CORPUS_DIRECTORY}/compare.mjs`)) as Comparator;
    const failures: string[] = [];
    let passed = 0;
    for (const corpusCase of cases) {
      if (OUT_OF_SCOPE.has(corpusCase.name)) continue;
      const result = walkDefinition(corpusCase.definition, corpusCase.input);
      const verdict = comparator.checkCase(corpusCase, result);
      if (verdict.ok) passed++;
      else failures.push(`${corpusCase.name}: ${verdict.reasons.join('; ')}`);
    }
    expect(failures).toEqual([]);
    expect(passed).toBeGreaterThanOrEqual(660);
  });

  it('covers every choice-operator case of the corpus', () => {
    const choiceCases = cases.filter((c) => c.area === 'choice-operators');
    expect(choiceCases).toHaveLength(472);
  });
});
