import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CorpusCase, historyMatches, regenerateInput } from '../../../local/sfn/conformance/corpus';
import {
  compareWithKnown,
  KnownDivergencesFileError,
  readKnownDivergences,
} from '../../../local/sfn/conformance/known-divergences';

function corpusCase(overrides: Partial<CorpusCase>): CorpusCase {
  return {
    name: 'x',
    area: 'wait',
    tags: [],
    state_machine_type: 'STANDARD',
    definition: {},
    input: { start_at: 'old' },
    lambdas: null,
    expected: { status: 'SUCCEEDED' },
    events: null,
    ...overrides,
  };
}

describe('time-relative corpus inputs', () => {
  const now = new Date('2030-01-02T03:04:05.678Z');

  it('uses the current time with the suffix from the test parameter', () => {
    const regenerated = regenerateInput(
      corpusCase({
        name: 'base/test_wait.py::TestSfnWait::test_wait_timestamppath[.00Z]',
        time_relative_input:
          "start_at = now(UTC) formatted '%Y-%m-%dT%H:%M:%S' + the param suffix (e.g. 'Z', '.00Z', '')",
      }),
      now,
    );
    expect(regenerated).toEqual({ start_at: '2030-01-02T03:04:05.00Z' });
  });

  it('adds the parameter as days for the far-future boundary case', () => {
    const regenerated = regenerateInput(
      corpusCase({
        name: 'base/test_wait.py::TestSfnWait::test_timestamp_too_far_in_future_boundary[2]',
        time_relative_input: "start_at = (now(UTC) + <param> days) formatted '%Y-%m-%dT%H:%M:%S' + '.000Z'",
      }),
      now,
    );
    expect(regenerated).toEqual({ start_at: '2030-01-04T03:04:05.000Z' });
  });

  it('leaves ordinary inputs alone', () => {
    expect(regenerateInput(corpusCase({ input: [1, 2] }), now)).toEqual([1, 2]);
  });
});

describe('history comparison', () => {
  it('requires the exact order outside Parallel and Map', () => {
    const sequential = corpusCase({ events: ['ExecutionStarted', 'PassStateEntered', 'PassStateExited'] });
    expect(historyMatches(sequential, ['ExecutionStarted', 'PassStateEntered', 'PassStateExited'])).toBe(
      true,
    );
    expect(historyMatches(sequential, ['ExecutionStarted', 'PassStateExited', 'PassStateEntered'])).toBe(
      false,
    );
    expect(historyMatches(sequential, ['ExecutionStarted'])).toBe(false);
  });

  it('accepts another interleaving of branch events in Parallel', () => {
    const parallel = corpusCase({ tags: ['state:Parallel'], events: ['A', 'B', 'C'] });
    expect(historyMatches(parallel, ['A', 'C', 'B'])).toBe(true);
    expect(historyMatches(parallel, ['A', 'C', 'C'])).toBe(false);
  });

  it("loses the events the recording test's Parallel re-sort lost, and only for those cases", () => {
    // LocalStack's SfnNoneRecursiveParallelTransformer splices its sorted sublist back in at every Parallel end
    // event, so a second end event in a row (or a nested Parallel's) overwrites the first one.
    const resorted = corpusCase({
      tags: ['state:Parallel'],
      notes: [
        'events inside Parallel were re-sorted by the test (SfnNoneRecursiveParallelTransformer): order not meaningful',
      ],
      events: [
        'ExecutionStarted',
        'ParallelStateEntered',
        'ParallelStateStarted',
        'ParallelStateEntered',
        'ParallelStateStarted',
        'PassStateEntered',
        'PassStateExited',
        'ParallelStateExited',
        'ExecutionSucceeded',
      ],
    });
    const actual = [
      'ExecutionStarted',
      'ParallelStateEntered',
      'ParallelStateStarted',
      'ParallelStateEntered',
      'ParallelStateStarted',
      'PassStateEntered',
      'PassStateExited',
      'ParallelStateExited',
      'ParallelStateExited',
      'ExecutionSucceeded',
    ];
    expect(historyMatches(resorted, actual)).toBe(true);
    expect(historyMatches({ ...resorted, notes: null }, actual)).toBe(false);
    const caught = corpusCase({
      tags: ['state:Parallel'],
      notes: resorted.notes,
      events: [
        'ParallelStateStarted',
        'TaskStateEntered',
        'TaskFailed',
        'TaskStateAborted',
        'ParallelStateExited',
      ],
    });
    expect(
      historyMatches(caught, [
        'ParallelStateStarted',
        'TaskStateEntered',
        'TaskFailed',
        'TaskStateAborted',
        'ParallelStateFailed',
        'ParallelStateExited',
      ]),
    ).toBe(true);
    expect(
      historyMatches(caught, [
        'ParallelStateStarted',
        'TaskStateEntered',
        'TaskFailed',
        'ParallelStateFailed',
        'ParallelStateExited',
      ]),
    ).toBe(false);
  });
});

describe('known divergences', () => {
  it('separates unexpected failures from listed cases that now pass', () => {
    const { unexpectedFailures, nowPassing } = compareWithKnown(
      [
        { name: 'listed-still-failing', lenient: false },
        { name: 'listed-now-passing', lenient: true },
        { name: 'new-failure', lenient: false },
        { name: 'fine', lenient: true },
      ],
      [
        { name: 'listed-still-failing', why: 'a' },
        { name: 'listed-now-passing', why: 'b' },
      ],
    );
    expect(unexpectedFailures.map((report) => report.name)).toEqual(['new-failure']);
    expect(nowPassing.map((report) => report.name)).toEqual(['listed-now-passing']);
  });

  it('reads the committed list and rejects malformed entries', () => {
    expect(Array.isArray(readKnownDivergences())).toBe(true);
    const file = join(mkdtempSync(join(tmpdir(), 'known-')), 'bad.json');
    writeFileSync(file, '[{"name": "x"}]');
    expect(() => readKnownDivergences(file)).toThrow(KnownDivergencesFileError);
  });
});
