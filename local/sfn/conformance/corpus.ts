/** The AWS-recorded conformance corpus (`cases.jsonl`, see its README) and the helpers that prepare a case. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface CorpusLambda {
  arn: string;
  behaviour: string;
}

export interface CorpusCase {
  name: string;
  area: string;
  tags: string[];
  state_machine_type: 'STANDARD' | 'EXPRESS';
  definition: unknown;
  input: unknown;
  lambdas: Record<string, CorpusLambda> | null;
  expected: { status: string; output?: unknown; error?: string; cause?: unknown };
  events: string[] | null;
  time_relative_input?: string;
  notes?: string[] | null;
  /** Where the case was recorded; only the fields the runner reads. */
  source?: { test_file?: string; snapshot_entry?: string };
}

/**
 * How the recording test started an Express execution: the `*_async.py` tests used StartExecution and read
 * the result from the execution's end event, the others StartSyncExecution. The two differ (an async
 * execution's context object has `Execution.RedriveCount`, a synchronous one's has not).
 */
export function startsSynchronously(corpusCase: CorpusCase): boolean {
  if (corpusCase.state_machine_type !== 'EXPRESS') return false;
  return !/_async\.py$/.test(corpusCase.source?.test_file ?? '');
}

export interface ExecutionResult {
  status: string;
  output?: unknown;
  error?: string;
  cause?: string;
}

export interface CheckOutcome {
  ok: boolean;
  reasons: string[];
}

export type CheckCase = (
  corpusCase: CorpusCase,
  result: ExecutionResult,
  options?: { cause?: 'match' | 'ignore' },
) => CheckOutcome;

export class CorpusError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CorpusError';
  }
}

export function loadCases(corpusDir: string): CorpusCase[] {
  const file = join(corpusDir, 'cases.jsonl');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CorpusError(`cannot read ${file}`, { cause: error });
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as CorpusCase;
      } catch (error) {
        throw new CorpusError(`${file}:${index + 1}: not JSON`, { cause: error });
      }
    });
}

/** The corpus's own comparator, loaded from the corpus folder so the repository never holds a copy. */
export async function loadCheckCase(corpusDir: string): Promise<CheckCase> {
  const file = join(corpusDir, 'compare.mjs');
  const module = (await import(pathToFileURL(file).href)) as { checkCase?: unknown };
  if (typeof module.checkCase !== 'function') throw new CorpusError(`${file} does not export checkCase`);
  return module.checkCase as CheckCase;
}

/** `'%Y-%m-%dT%H:%M:%S'` in UTC, as Python's strftime writes it. */
function pythonSeconds(date: Date): string {
  return date.toISOString().slice(0, 19);
}

/**
 * Rebuilds an input that the corpus computed from the wall clock (`time_relative_input`): the two Wait tests set
 * `start_at` to now (plus a suffix taken from the test parameter) or to now plus `<param>` days.
 */
export function regenerateInput(corpusCase: CorpusCase, now: Date = new Date()): unknown {
  const recipe = corpusCase.time_relative_input;
  if (recipe === undefined) return corpusCase.input;
  const param = /\[([^\]]*)\]$/.exec(corpusCase.name)?.[1];
  if (param === undefined)
    throw new CorpusError(`${corpusCase.name}: time-relative input without a parameter`);
  if (/\+ <param> days/.test(recipe)) {
    const days = Number(param);
    if (!Number.isInteger(days))
      throw new CorpusError(`${corpusCase.name}: parameter ${param} is not a day count`);
    return { start_at: `${pythonSeconds(new Date(now.getTime() + days * 86_400_000))}.000Z` };
  }
  if (/param suffix/.test(recipe)) return { start_at: `${pythonSeconds(now)}${param}` };
  throw new CorpusError(`${corpusCase.name}: unknown time_relative_input recipe: ${recipe}`);
}

/**
 * Whether the engine's history event types match AWS's. Branches of Parallel and Map interleave differently on
 * every run, so for those the same events in any order also count.
 */
const PARALLEL_END_EVENTS = new Set([
  'ParallelStateSucceeded',
  'ParallelStateAborted',
  'ParallelStateExited',
  'ParallelStateFailed',
]);

/**
 * Replays LocalStack's `SfnNoneRecursiveParallelTransformer` on event types. It was applied to the recorded AWS
 * history and is lossy: at every Parallel end event it splices the events since the last `ParallelStateStarted`
 * back over everything from there up to that end event, so of two end events in a row (`ParallelStateFailed`
 * then `ParallelStateExited`, or a nested Parallel's `ParallelStateExited` then the outer one's) only the last
 * survives. The order it produced is irrelevant here: Parallel histories are compared as multisets.
 */
export function resortLikeRecordingTest(types: string[]): string[] {
  const events = [...types];
  let start = 0;
  let sublist: string[] = [];
  let inSublist = false;
  // Python's enumerate over a list mutated in place: the index simply moves on.
  for (let index = 0; index < events.length; index++) {
    const type = events[index] ?? '';
    if (PARALLEL_END_EVENTS.has(type)) {
      events.splice(start, index - start, ...sublist);
      inSublist = false;
    } else if (type === 'ParallelStateStarted') {
      inSublist = true;
      sublist = [];
      start = index + 1;
    } else if (inSublist) {
      sublist.push(type);
    }
  }
  return events;
}

export function historyMatches(corpusCase: CorpusCase, actualHistory: string[]): boolean {
  const expected = corpusCase.events;
  if (!expected) return false;
  const resorted = corpusCase.notes?.some((note) => note.includes('SfnNoneRecursiveParallelTransformer'));
  const actualTypes = resorted ? resortLikeRecordingTest(actualHistory) : actualHistory;
  if (expected.length !== actualTypes.length) return false;
  if (expected.every((type, index) => type === actualTypes[index])) return true;
  const concurrent = corpusCase.tags.some((tag) => tag === 'state:Parallel' || tag === 'state:Map');
  if (!concurrent) return false;
  const sortedExpected = [...expected].sort();
  const sortedActual = [...actualTypes].sort();
  return sortedExpected.every((type, index) => type === sortedActual[index]);
}
