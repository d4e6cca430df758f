/**
 * `npm run conformance -- <corpus dir> [--only <substring>] [--area <area>] [--concurrency N] [--check-known]
 * [--results <file.jsonl>]`: runs the AWS-recorded corpus through the local engine over its real HTTP front
 * (SDK client → HTTP server → engine → fake Lambda) and reports how many executions end as they did on AWS.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { createEngine } from '../engine';
import { type SfnServer, startSfnServer } from '../http-server';
import type { StepFunctionsEngine } from '../service-api';
import {
  type CheckCase,
  type CorpusCase,
  type ExecutionResult,
  historyMatches,
  loadCases,
  loadCheckCase,
  regenerateInput,
  startsSynchronously,
} from './corpus';
import {
  behaviourFromDescription,
  type FakeLambda,
  type LambdaBehaviour,
  startFakeLambda,
} from './fake-lambda';
import { compareWithKnown, readKnownDivergences } from './known-divergences';
import { type CaseReport, formatTable } from './report-table';
import { ConformanceUsageError, parseRunArgs, type RunOptions } from './run-options';

const REGION = 'us-east-1';
/** The account the corpus's ARNs were recorded under. */
const ACCOUNT_ID = '111111111111';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/conformance`;

/** One engine behind its HTTP front, with the fake Lambda functions of the cases that share them. */
interface Stack {
  engine: StepFunctionsEngine;
  server: SfnServer;
  lambda: FakeLambda;
  client: SFNClient;
}

/** Cases reuse function names with different behaviours, so each distinct set of functions gets its own stack. */
function lambdaSignature(corpusCase: CorpusCase): string {
  const entries = Object.entries(corpusCase.lambdas ?? {})
    .map(([name, lambda]) => [name, behaviourFromDescription(lambda.behaviour)] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(entries);
}

async function startStack(functions: Record<string, LambdaBehaviour>): Promise<Stack> {
  const lambda = await startFakeLambda({ functions, region: REGION, accountId: ACCOUNT_ID });
  const engine = await createEngine({
    dataPath: ':memory:',
    lambdaEndpoint: lambda.url,
    region: REGION,
    accountId: ACCOUNT_ID,
  });
  const server = await startSfnServer({ engine, port: 0 });
  const client = new SFNClient({
    endpoint: server.url,
    region: REGION,
    credentials: { accessKeyId: 'conformance', secretAccessKey: 'conformance' },
    // StartSyncExecution would otherwise go to `sync-127.0.0.1`.
    disableHostPrefix: true,
    maxAttempts: 1,
  });
  return { engine, server, lambda, client };
}

async function stopStack(stack: Stack): Promise<void> {
  stack.client.destroy();
  await stack.server.close();
  await stack.engine.close();
  await stack.lambda.close();
}

const sleep = (millis: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, millis));

function parseOutput(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toResult(described: {
  status?: string;
  output?: string;
  error?: string;
  cause?: string;
}): ExecutionResult {
  const result: ExecutionResult = { status: described.status ?? 'UNKNOWN' };
  if (described.output !== undefined) result.output = parseOutput(described.output);
  if (described.error !== undefined) result.error = described.error;
  if (described.cause !== undefined) result.cause = described.cause;
  return result;
}

async function historyTypes(client: SFNClient, executionArn: string): Promise<string[]> {
  const types: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }),
    );
    for (const event of page.events ?? []) types.push(event.type ?? '');
    nextToken = page.nextToken;
  } while (nextToken);
  return types;
}

async function execute(
  stack: Stack,
  corpusCase: CorpusCase,
  index: number,
  timeoutSeconds: number,
): Promise<{ result: ExecutionResult; history: string[] | null }> {
  const { client } = stack;
  const created = await client.send(
    new CreateStateMachineCommand({
      name: `case-${index}`,
      definition: JSON.stringify(corpusCase.definition),
      roleArn: ROLE_ARN,
      type: corpusCase.state_machine_type,
    }),
  );
  const input = JSON.stringify(regenerateInput(corpusCase));
  if (startsSynchronously(corpusCase)) {
    const output = await client.send(
      new StartSyncExecutionCommand({
        stateMachineArn: created.stateMachineArn,
        name: `run-${index}`,
        input,
      }),
    );
    return { result: toResult(output), history: null };
  }
  // Standard executions and asynchronous Express ones: start, then poll for the end.
  const started = await client.send(
    new StartExecutionCommand({ stateMachineArn: created.stateMachineArn, name: `run-${index}`, input }),
  );
  const deadline = Date.now() + timeoutSeconds * 1000;
  let pause = 20;
  let described: DescribeExecutionCommandOutput;
  for (;;) {
    described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    if (described.status !== 'RUNNING' && described.status !== 'PENDING_REDRIVE') break;
    if (Date.now() > deadline) {
      await client.send(
        new StopExecutionCommand({ executionArn: started.executionArn, error: 'Conformance.Timeout' }),
      );
      return { result: { status: `STILL_RUNNING_AFTER_${timeoutSeconds}S` }, history: null };
    }
    await sleep(pause);
    pause = Math.min(pause * 1.5, 1000);
  }
  const history = corpusCase.events ? await historyTypes(client, started.executionArn ?? '') : null;
  return { result: toResult(described), history };
}

function describeFailure(error: unknown): ExecutionResult {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return { status: `HARNESS_ERROR ${name}`, cause: message };
}

async function mapConcurrently<T>(
  items: T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
) {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    for (;;) {
      const index = next++;
      const item = items[index];
      if (item === undefined) return;
      await work(item, index);
    }
  });
  await Promise.all(workers);
}

export async function runConformance(
  options: RunOptions,
  onProgress: (done: number, total: number, passed: number) => void = () => {},
): Promise<CaseReport[]> {
  const checkCase: CheckCase = await loadCheckCase(options.corpusDir);
  const cases = loadCases(options.corpusDir).filter(
    (corpusCase) =>
      (options.only === undefined || corpusCase.name.includes(options.only)) &&
      (options.area === undefined || corpusCase.area === options.area),
  );
  const stacks = new Map<string, Promise<Stack>>();
  const stackFor = (corpusCase: CorpusCase) => {
    const signature = lambdaSignature(corpusCase);
    let stack = stacks.get(signature);
    if (!stack) {
      const functions = Object.fromEntries(JSON.parse(signature) as [string, LambdaBehaviour][]);
      stack = startStack(functions);
      stacks.set(signature, stack);
    }
    return stack;
  };
  const reports: CaseReport[] = [];
  let passed = 0;
  try {
    await mapConcurrently(cases, options.concurrency, async (corpusCase, index) => {
      const started = Date.now();
      let result: ExecutionResult;
      let history: string[] | null = null;
      try {
        ({ result, history } = await execute(
          await stackFor(corpusCase),
          corpusCase,
          index,
          options.caseTimeoutSeconds,
        ));
      } catch (error) {
        result = describeFailure(error);
      }
      const lenient = checkCase(corpusCase, result, { cause: 'ignore' });
      const strict = checkCase(corpusCase, result);
      if (lenient.ok) passed++;
      const historyMatch =
        corpusCase.events && corpusCase.state_machine_type === 'STANDARD'
          ? historyMatches(corpusCase, history ?? [])
          : null;
      reports.push({
        name: corpusCase.name,
        area: corpusCase.area,
        result,
        lenient: lenient.ok,
        strict: strict.ok,
        reasons: strict.reasons,
        history: historyMatch,
        ...(historyMatch === false && history ? { historyTypes: history } : {}),
        millis: Date.now() - started,
      });
      onProgress(reports.length, cases.length, passed);
    });
  } finally {
    for (const stack of stacks.values()) {
      await stopStack(await stack).catch(() => {});
    }
  }
  return reports;
}

async function main(argv: string[]): Promise<number> {
  let options: RunOptions;
  try {
    options = parseRunArgs(argv);
  } catch (error) {
    if (!(error instanceof ConformanceUsageError)) throw error;
    process.stderr.write(
      `conformance: ${error.message}\nUsage: npm run conformance -- <corpus dir> [--only <substring>] ` +
        '[--area <area>] [--concurrency N] [--check-known] [--results <file.jsonl>] [--case-timeout <seconds>]\n',
    );
    return 2;
  }
  const known = options.checkKnown ? readKnownDivergences() : [];
  const startedAt = Date.now();
  const interactive = process.stderr.isTTY === true;
  const reports = await runConformance(options, (done, total, passed) => {
    if (interactive) process.stderr.write(`\r${done}/${total} run, ${passed} passed`);
    else if (done % 100 === 0 || done === total)
      process.stderr.write(`${done}/${total} run, ${passed} passed\n`);
  });
  if (interactive) process.stderr.write('\n');
  reports.sort((a, b) => a.name.localeCompare(b.name));
  if (options.resultsFile) {
    const lines = reports.map((report) =>
      JSON.stringify({
        name: report.name,
        ...report.result,
        lenient: report.lenient,
        strict: report.strict,
        reasons: report.reasons,
        history: report.history,
        ...(report.historyTypes ? { historyTypes: report.historyTypes } : {}),
        millis: report.millis,
      }),
    );
    writeFileSync(options.resultsFile, `${lines.join('\n')}\n`);
  }
  const failed = reports.filter((report) => !report.lenient);
  for (const report of failed.slice(0, options.checkKnown ? 0 : 200)) {
    process.stdout.write(`FAIL ${report.name}: ${report.reasons.join('; ') || 'cause differs'}\n`);
  }
  process.stdout.write(`\n${formatTable(reports)}\n`);
  process.stdout.write(
    'lenient = status, output and error name; strict = also the cause; history = event types (not part of the bar)\n',
  );
  process.stdout.write(`took ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
  let exitCode = 0;
  if (options.checkKnown) {
    const { unexpectedFailures, nowPassing } = compareWithKnown(reports, known);
    for (const report of nowPassing)
      process.stdout.write(`NOW PASSING (trim known-divergences.json): ${report.name}\n`);
    for (const report of unexpectedFailures) {
      process.stdout.write(`UNEXPECTED FAILURE ${report.name}: ${report.reasons.join('; ')}\n`);
    }
    if (unexpectedFailures.length > 0) exitCode = 1;
  }
  if (reports.some((report) => report.result.status.startsWith('HARNESS_ERROR')) && !options.checkKnown)
    exitCode = 0;
  process.stdout.write(`${reports.length - failed.length} passed, ${failed.length} failed\n`);
  return exitCode;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `conformance: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(2);
    },
  );
}
