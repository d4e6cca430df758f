/**
 * In-process conformance loop: runs every case of the AWS-recorded corpus through `dispatch` with a fake Lambda
 * server and prints the pass rate by area. `npx tsx test/sfn/engine/run-corpus.ts [filter] [--failures]`
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resortLikeRecordingTest } from '../../../local/sfn/conformance/corpus';
import { createEngine } from '../../../local/sfn/engine';
import { CORPUS_HANDLERS, FakeLambdaServer, type LambdaBehaviour } from './fake-lambda-server';

const CORPUS_DIR = '/work/shared/conformance/sfn-aws-recorded';

interface CorpusCase {
  name: string;
  area: string;
  state_machine_type: string;
  definition: unknown;
  input: unknown;
  lambdas: Record<string, { handler_file: string }> | null;
  expected: { status: string; output?: unknown; error?: string; cause?: unknown };
  events: string[] | null;
  notes: string[] | null;
  time_relative_input?: string;
  source: { params?: Record<string, unknown> | null };
}

interface RunResult {
  events?: string[];
  status: string;
  output?: unknown;
  error?: string;
  cause?: string;
}

type CheckCase = (c: CorpusCase, result: RunResult) => { ok: boolean; reasons: string[] };

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

function isoSeconds(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

/** Regenerates the two wall-clock inputs as the corpus README describes. */
function inputOf(c: CorpusCase): unknown {
  if (!c.time_relative_input) return c.input;
  const params = c.source.params ?? {};
  if (typeof params.days === 'number') {
    return { start_at: `${isoSeconds(new Date(Date.now() + params.days * 86_400_000))}.000Z` };
  }
  return { start_at: `${isoSeconds(new Date())}${String(params.timestamp_suffix ?? '')}` };
}

export async function runCase(
  c: CorpusCase,
  lambdaServer: FakeLambdaServer,
  index: number,
): Promise<RunResult> {
  const functions: Record<string, LambdaBehaviour> = {};
  for (const [name, lambda] of Object.entries(c.lambdas ?? {})) {
    const behaviour = CORPUS_HANDLERS[lambda.handler_file.split('/').pop() ?? ''];
    if (behaviour) functions[name] = behaviour;
  }
  const engine = await createEngine({
    dataPath: ':memory:',
    lambdaEndpoint: lambdaServer.endpointFor(functions),
    region: 'us-east-1',
    accountId: '111111111111',
  });
  try {
    const { stateMachineArn } = await engine.dispatch('CreateStateMachine', {
      name: `machine_${index}`,
      definition: JSON.stringify(c.definition),
      roleArn: 'arn:aws:iam::111111111111:role/sfn',
      type: c.state_machine_type,
    });
    const startRequest = { stateMachineArn, name: `execution_${index}`, input: JSON.stringify(inputOf(c)) };
    if (c.name.includes('express_sync')) {
      const synced = await engine.dispatch('StartSyncExecution', startRequest);
      const result: RunResult = { status: String(synced.status) };
      if (typeof synced.output === 'string') result.output = JSON.parse(synced.output);
      if (typeof synced.error === 'string') result.error = synced.error;
      if (typeof synced.cause === 'string') result.cause = synced.cause;
      return result;
    }
    const { executionArn } = await engine.dispatch('StartExecution', startRequest);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const described = await engine.dispatch('DescribeExecution', { executionArn });
      if (described.status !== 'RUNNING') {
        const result: RunResult = { status: String(described.status) };
        if (typeof described.output === 'string') result.output = JSON.parse(described.output);
        if (typeof described.error === 'string') result.error = described.error;
        if (typeof described.cause === 'string') result.cause = described.cause;
        const history = await engine.dispatch('GetExecutionHistory', { executionArn, maxResults: 1000 });
        result.events = (history.events as { type: string }[]).map((event) => event.type);
        return result;
      }
      if (Date.now() > deadline) return { status: 'STUCK' };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } catch (error) {
    return {
      status: 'API_ERROR',
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  } finally {
    await engine.close();
  }
}

export interface CorpusReport {
  pass: number;
  total: number;
  byArea: Map<string, { pass: number; total: number }>;
  failures: string[];
  historyMismatches: string[];
  historyCompared: number;
}

/** Runs the corpus (or the cases whose name or area contains `filter`) and compares with AWS's results. */
export async function runCorpus(filter?: string, concurrency = 48): Promise<CorpusReport> {
  const compare = (await import(pathToFileURL(`${CORPUS_DIR}/compare.mjs`).href)) as { checkCase: CheckCase };
  const cases = readFileSync(`${CORPUS_DIR}/cases.jsonl`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as CorpusCase)
    .filter((c) => !filter || c.name.includes(filter) || c.area.includes(filter));
  const lambdaServer = new FakeLambdaServer();
  await lambdaServer.start();
  const byArea = new Map<string, { pass: number; total: number }>();
  const failures: string[] = [];
  const historyMismatches: string[] = [];
  let next = 0;
  let pass = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      const c = cases[index];
      if (!c) return;
      const result = await runCase(c, lambdaServer, index);
      const { ok, reasons } = compare.checkCase(c, result);
      const area = byArea.get(c.area) ?? { pass: 0, total: 0 };
      area.total++;
      if (ok) {
        area.pass++;
        pass++;
      } else {
        failures.push(
          `${c.name}\n  ${reasons.join('; ')}\n  expected ${JSON.stringify(c.expected).slice(0, 600)}\n  actual   ${JSON.stringify(result).slice(0, 600)}`,
        );
      }
      byArea.set(c.area, area);
      // Branch and iteration events interleave nondeterministically; compare them as multisets there.
      if (c.events && result.events) {
        // The recording test's Parallel re-sort dropped events; replay it on ours (see resortLikeRecordingTest).
        const resorted = c.notes?.some((note) => note.includes('SfnNoneRecursiveParallelTransformer'));
        const ours = resorted ? resortLikeRecordingTest(result.events) : result.events;
        const same = c.events.join(',') === ours.join(',');
        const sameBag = [...c.events].sort().join(',') === [...ours].sort().join(',');
        if (!same && !sameBag) {
          historyMismatches.push(`${c.name}\n  aws ${c.events.join(',')}\n  us  ${ours.join(',')}`);
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await lambdaServer.stop();
  }
  const historyCompared = cases.filter((c) => c.events).length;
  return { pass, total: cases.length, byArea, failures, historyMismatches, historyCompared };
}

async function main(): Promise<void> {
  const filter = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
  const started = Date.now();
  const report = await runCorpus(filter);
  for (const [area, counts] of [...report.byArea.entries()].sort()) {
    console.log(`${area.padEnd(32)} ${counts.pass}/${counts.total}`);
  }
  const percent = ((100 * report.pass) / Math.max(1, report.total)).toFixed(1);
  console.log(`TOTAL ${report.pass}/${report.total} (${percent}%) in ${Date.now() - started} ms`);
  const historyMatches = report.historyCompared - report.historyMismatches.length;
  console.log(`history event types match AWS in ${historyMatches}/${report.historyCompared} cases`);
  writeFileSync('/tmp/a2-corpus-failures.txt', report.failures.join('\n'));
  writeFileSync('/tmp/a2-corpus-history.txt', report.historyMismatches.join('\n'));
  if (process.argv.includes('--failures')) console.log(report.failures.join('\n'));
}

if (process.argv[1]?.endsWith('run-corpus.ts')) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
