/**
 * Step Functions engine benchmark: state transitions per second (Pass chain, Choice loop; in-memory and durable
 * SQLite) and the latency from SendTaskSuccess to the next state, side by side with `aws-local-stepfunctions`.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createEngine } from '../local/sfn/engine';
import { SfnApiError } from '../local/sfn/errors';
import type { StepFunctionsEngine } from '../local/sfn/service-api';
import type { BenchReport, BenchRun } from './bench-report';
import { callbackChain, choiceLoop, passChain, percentile, type ThroughputWorkload } from './sfn-workloads';

const execFileAsync = promisify(execFile);
const PEER_SCRIPT = fileURLToPath(new URL('./sfn-peer.ts', import.meta.url));
const ROLE_ARN = 'arn:aws:iam::123456789012:role/bench';
export class BenchSetupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BenchSetupError';
  }
}

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

/**
 * The peer runs on this process's Node (through tsx) unless `SFN_PEER_NODE` names another binary (run with
 * Node's type stripping then): the ratio is only fair with both engines on the same Node.
 */
function peerCommand(): { binary: string; preArgs: string[] } {
  const override = process.env.SFN_PEER_NODE;
  if (override) {
    if (!existsSync(override)) throw new BenchSetupError(`SFN_PEER_NODE ${override} does not exist`);
    return { binary: override, preArgs: [] };
  }
  return { binary: process.execPath, preArgs: ['--import', 'tsx'] };
}

async function runPeer<Result>(
  peer: { binary: string; preArgs: string[] },
  job: Record<string, unknown>,
): Promise<Result> {
  const { stdout } = await execFileAsync(peer.binary, [...peer.preArgs, PEER_SCRIPT, JSON.stringify(job)], {
    maxBuffer: 64 * 1024 * 1024,
    timeout: 600_000,
  });
  const lastLine = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(lastLine) as Result;
}

/**
 * Both engines run one round's worth of executions before the measured ones. With a fifth of a round, the
 * first measured batches of an engine were still its least optimised code (profile driver, Pass chain on file:
 * 34k and 39k transitions/s, then 45-53k), and the peer, a fresh process every round, measured that state in
 * every round while our engine left it after the first.
 */
const warmupExecutions = (executions: number) => executions;

let machineCounter = 0;

async function createMachine(engine: StepFunctionsEngine, definition: unknown): Promise<string> {
  const created = await engine.dispatch('CreateStateMachine', {
    name: `bench-${++machineCounter}`,
    definition: JSON.stringify(definition),
    roleArn: ROLE_ARN,
  });
  return String(created.stateMachineArn);
}

async function waitUntilIdle(engine: StepFunctionsEngine, stateMachineArn: string): Promise<void> {
  for (;;) {
    const running = await engine.dispatch('ListExecutions', {
      stateMachineArn,
      statusFilter: 'RUNNING',
      maxResults: 1,
    });
    if (!Array.isArray(running.executions) || running.executions.length === 0) return;
    await sleep(2);
  }
}

async function startAll(engine: StepFunctionsEngine, stateMachineArn: string, input: unknown, count: number) {
  const arns: string[] = [];
  for (let index = 0; index < count; index++) {
    const started = await engine.dispatch('StartExecution', {
      stateMachineArn,
      input: JSON.stringify(input),
    });
    arns.push(String(started.executionArn));
  }
  return arns;
}

/** Starts `executions` at once, waits for all, and checks every output against the workload's expectation. */
async function ourThroughput(engine: StepFunctionsEngine, workload: ThroughputWorkload, executions: number) {
  const stateMachineArn = await createMachine(engine, workload.definition);
  await startAll(engine, stateMachineArn, workload.input, warmupExecutions(executions));
  await waitUntilIdle(engine, stateMachineArn);
  const started = performance.now();
  const arns = await startAll(engine, stateMachineArn, workload.input, executions);
  await waitUntilIdle(engine, stateMachineArn);
  const elapsedMs = performance.now() - started;
  const outputs = await Promise.all(
    arns.map(async (executionArn) => {
      const described = await engine.dispatch('DescribeExecution', { executionArn });
      if (described.status !== 'SUCCEEDED')
        throw new BenchSetupError(`${executionArn} ended ${described.status}`);
      return JSON.parse(String(described.output)) as unknown;
    }),
  );
  const expected = JSON.stringify(workload.expectedOutput);
  const wrong = outputs.find((output) => JSON.stringify(output) !== expected);
  if (wrong !== undefined)
    throw new BenchSetupError(`${workload.label}: output ${JSON.stringify(wrong)} != ${expected}`);
  return elapsedMs;
}

/**
 * Latency from SendTaskSuccess to the next Task state's Lambda invocation arriving (the next state entered and
 * its resource called), over chains of `lambda:invoke.waitForTaskToken` Tasks.
 */
async function ourCallbackLatency(
  makeEngine: (lambdaEndpoint: string) => Promise<StepFunctionsEngine>,
  chainLength: number,
  executions: number,
  warmupExecutions: number,
) {
  let engine: StepFunctionsEngine | undefined;
  let sentAt: number | null = null;
  const latenciesMs: number[] = [];
  const sendSuccess = async (taskToken: string) => {
    for (let attempt = 0; ; attempt++) {
      sentAt = performance.now();
      try {
        await engine?.dispatch('SendTaskSuccess', { taskToken, output: '{}' });
        return;
      } catch (error) {
        // The token can reach us before the engine has recorded the Task as waiting; try again shortly.
        if (!(error instanceof SfnApiError) || attempt > 100) throw error;
        await sleep(1);
      }
    }
  };
  const lambda = createServer((request, response) => {
    const arrivedAt = performance.now();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (sentAt !== null) latenciesMs.push(arrivedAt - sentAt);
      sentAt = null;
      const payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { token?: string };
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end('{}');
      setImmediate(() => {
        sendSuccess(String(payload.token)).catch((error: unknown) =>
          process.stderr.write(`bench: ${String(error)}\n`),
        );
      });
    });
  });
  await new Promise<void>((resolve) => lambda.listen(0, '127.0.0.1', resolve));
  try {
    engine = await makeEngine(`http://127.0.0.1:${(lambda.address() as AddressInfo).port}`);
    const definition = callbackChain(chainLength, () => ({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'bench-callback', Payload: { 'token.$': '$$.Task.Token' } },
    }));
    const stateMachineArn = await createMachine(engine, definition);
    const runOnce = async () => {
      sentAt = null;
      const [executionArn] = await startAll(engine as StepFunctionsEngine, stateMachineArn, {}, 1);
      for (;;) {
        const described = await (engine as StepFunctionsEngine).dispatch('DescribeExecution', {
          executionArn,
        });
        if (described.status === 'SUCCEEDED') return;
        if (described.status !== 'RUNNING')
          throw new BenchSetupError(`callback chain ended ${described.status}`);
        await sleep(5);
      }
    };
    for (let index = 0; index < warmupExecutions; index++) await runOnce();
    latenciesMs.length = 0;
    for (let index = 0; index < executions; index++) await runOnce();
    return latenciesMs;
  } finally {
    await engine?.close();
    lambda.closeAllConnections();
    await new Promise<void>((resolve) => lambda.close(() => resolve()));
  }
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
const PEER_LABEL = 'aws-local-stepfunctions';

export const run: BenchRun = async ({ quick }) => {
  const executions = quick ? 5 : 100;
  const workloads = [passChain(quick ? 30 : 100), choiceLoop(quick ? 30 : 100)];
  const chainLength = 20;
  const callbackExecutions = quick ? 2 : 10;
  // Ten pairs: with four, the median of one run ranged 1.05x–1.50x on the same code (a round lasts ~60 ms).
  const rounds = quick ? 2 : 10;
  const rows: BenchReport['rows'] = [];
  const notes: string[] = [];
  const workDir = mkdtempSync(join(tmpdir(), 'sfn-bench-'));
  const peerNode = peerCommand();

  try {
    const modes: { label: string; dataPath: (name: string) => string }[] = [
      { label: 'tenggat in-memory', dataPath: () => ':memory:' },
      { label: 'tenggat SQLite file', dataPath: (name) => join(workDir, `${name}.sqlite`) },
    ];
    for (const workload of workloads) {
      const transitions = workload.transitionsPerExecution * executions;
      const rates = new Map<string, number[]>();
      const ratios = new Map<string, number[]>();
      const record = (into: Map<string, number[]>, label: string, value: number) =>
        into.set(label, [...(into.get(label) ?? []), value]);
      for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
        const measurePeer = async () => {
          const peer = await runPeer<{ elapsedMs: number; output: unknown; allOutputsEqual: boolean }>(
            peerNode,
            {
              kind: 'throughput',
              definition: workload.definition,
              input: workload.input,
              executions,
              warmupExecutions: warmupExecutions(executions),
            },
          );
          if (
            !peer.allOutputsEqual ||
            JSON.stringify(peer.output) !== JSON.stringify(workload.expectedOutput)
          ) {
            throw new BenchSetupError(
              `${workload.label}: peer output ${JSON.stringify(peer.output)} differs`,
            );
          }
          return transitions / (peer.elapsedMs / 1000);
        };
        const measureOurs = async (mode: (typeof modes)[number]) => {
          const engine = await createEngine({ dataPath: mode.dataPath(`${workload.label}-${roundIndex}`) });
          try {
            return transitions / ((await ourThroughput(engine, workload, executions)) / 1000);
          } finally {
            await engine.close();
          }
        };
        // The engines take turns going first, so that a burst of load from elsewhere hits them alike; each
        // round's figures make one pair, and the ratio is taken per pair (absolute figures drift by 2x here).
        let peerRate = roundIndex % 2 === 0 ? await measurePeer() : 0;
        const ours = new Map<string, number>();
        for (const mode of modes) ours.set(mode.label, await measureOurs(mode));
        if (roundIndex % 2 === 1) peerRate = await measurePeer();
        record(rates, PEER_LABEL, peerRate);
        for (const [label, rate] of ours) {
          record(rates, label, rate);
          record(ratios, label, rate / peerRate);
        }
      }
      for (const label of [...modes.map((mode) => mode.label), PEER_LABEL]) {
        const pairRatios = ratios.get(label) ?? [1];
        rows.push({
          measurement: `${workload.label} transitions/s`,
          engine: label,
          n: transitions,
          value: round(median(rates.get(label) ?? []), 0),
          'vs peer': `${round(median(pairRatios), 2)}x`,
          'pair ratios': pairRatios.map((ratio) => round(ratio, 2)).join(' '),
        });
      }
    }

    const peerCallback = await runPeer<{ latenciesMs: number[] }>(peerNode, {
      kind: 'callback',
      definition: callbackChain(chainLength, () => ({
        Type: 'Task',
        Resource: 'arn:aws:lambda:us-east-1:123456789012:function:bench-callback',
      })),
      executions: callbackExecutions,
      warmupExecutions: 1,
    });
    const peerSorted = [...peerCallback.latenciesMs].sort((a, b) => a - b);
    for (const mode of modes) {
      const latencies = await ourCallbackLatency(
        (lambdaEndpoint) => createEngine({ dataPath: mode.dataPath('callback'), lambdaEndpoint }),
        chainLength,
        callbackExecutions,
        1,
      );
      const sorted = [...latencies].sort((a, b) => a - b);
      for (const [label, fraction] of [
        ['p50', 0.5],
        ['p95', 0.95],
      ] as const) {
        const ours = percentile(sorted, fraction);
        rows.push({
          measurement: `SendTaskSuccess → next state ${label} ms`,
          engine: mode.label,
          n: sorted.length,
          value: round(ours, 2),
          'vs peer': `${round(ours / percentile(peerSorted, fraction), 1)}x`,
        });
      }
    }
    for (const [label, fraction] of [
      ['p50', 0.5],
      ['p95', 0.95],
    ] as const) {
      rows.push({
        measurement: `SendTaskSuccess → next state ${label} ms`,
        engine: 'aws-local-stepfunctions',
        n: peerSorted.length,
        value: round(percentile(peerSorted, fraction), 3),
        'vs peer': '1x',
      });
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  notes.push(
    `throughput: median of ${rounds} rounds, the engines alternating which goes first; "vs peer" is the median of the per-round ratios ("pair ratios"); each round starts ${executions} executions together after a warm-up and ` +
      'waits until all finished; outputs checked equal ' +
      'to the expected value on both engines before the figures count. "vs peer" > 1 is faster for transitions/s.',
    'latency: ours = SendTaskSuccess dispatched → the next lambda:invoke.waitForTaskToken Task invocation reaching a ' +
      'local Lambda server; peer (no task tokens) = the Lambda answer to Task k written → the Task k+1 invocation ' +
      'reaching the same kind of server. Both include one local HTTP invoke. "vs peer" > 1 is slower.',
    'tenggat is measured through engine.dispatch (no HTTP front); the peer in a child process on the same Node; both in memory ' +
      'except the SQLite-file rows, which persist every transition.',
  );
  return {
    name: 'sfn-engine',
    description: 'local Step Functions engine vs aws-local-stepfunctions v3',
    rows,
    notes,
  };
};
