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
import { ensureNodeBinary } from '../local/cloud/node-runtime';
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

/** `SFN_PEER_NODE`, else the Node 22 the local cloud uses for `nodejs22.x` (installed into the cache on first use). */
async function findPeerNode(): Promise<string> {
  const override = process.env.SFN_PEER_NODE;
  if (override && existsSync(override)) return override;
  try {
    return await ensureNodeBinary(22, { onProgress: (line) => process.stderr.write(`bench: ${line}\n`) });
  } catch (error) {
    throw new BenchSetupError('cannot install node@22 for aws-local-stepfunctions', { cause: error });
  }
}

async function runPeer<Result>(nodeBinary: string, job: Record<string, unknown>): Promise<Result> {
  const { stdout } = await execFileAsync(nodeBinary, [PEER_SCRIPT, JSON.stringify(job)], {
    maxBuffer: 64 * 1024 * 1024,
    timeout: 600_000,
  });
  const lastLine = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(lastLine) as Result;
}

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
  await startAll(engine, stateMachineArn, workload.input, Math.max(1, Math.floor(executions / 5)));
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
  const executions = quick ? 5 : 20;
  const workloads = [passChain(quick ? 30 : 100), choiceLoop(quick ? 30 : 100)];
  const chainLength = 20;
  const callbackExecutions = quick ? 2 : 10;
  const rounds = quick ? 1 : 3;
  const rows: BenchReport['rows'] = [];
  const notes: string[] = [];
  const workDir = mkdtempSync(join(tmpdir(), 'sfn-bench-'));
  const peerNode = await findPeerNode();

  try {
    const modes: { label: string; dataPath: (name: string) => string }[] = [
      { label: 'tenggat in-memory', dataPath: () => ':memory:' },
      { label: 'tenggat SQLite file', dataPath: (name) => join(workDir, `${name}.sqlite`) },
    ];
    for (const workload of workloads) {
      const transitions = workload.transitionsPerExecution * executions;
      // Rounds alternate between the engines so that a burst of load from elsewhere hits them alike.
      const rates = new Map<string, number[]>();
      const record = (label: string, rate: number) => rates.set(label, [...(rates.get(label) ?? []), rate]);
      for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
        const peer = await runPeer<{ elapsedMs: number; output: unknown; allOutputsEqual: boolean }>(
          peerNode,
          {
            kind: 'throughput',
            definition: workload.definition,
            input: workload.input,
            executions,
            warmupExecutions: Math.max(1, Math.floor(executions / 5)),
          },
        );
        if (
          !peer.allOutputsEqual ||
          JSON.stringify(peer.output) !== JSON.stringify(workload.expectedOutput)
        ) {
          throw new BenchSetupError(`${workload.label}: peer output ${JSON.stringify(peer.output)} differs`);
        }
        record(PEER_LABEL, transitions / (peer.elapsedMs / 1000));
        for (const mode of modes) {
          const engine = await createEngine({ dataPath: mode.dataPath(`${workload.label}-${roundIndex}`) });
          try {
            record(mode.label, transitions / ((await ourThroughput(engine, workload, executions)) / 1000));
          } finally {
            await engine.close();
          }
        }
      }
      const peerRate = median(rates.get(PEER_LABEL) ?? []);
      for (const label of [...modes.map((mode) => mode.label), PEER_LABEL]) {
        const rate = median(rates.get(label) ?? []);
        rows.push({
          measurement: `${workload.label} transitions/s`,
          engine: label,
          n: transitions,
          value: round(rate, 0),
          'vs peer': `${round(rate / peerRate, 2)}x`,
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
    `throughput: median of ${rounds} rounds; each starts ${executions} executions together after a warm-up and ` +
      'waits until all finished; outputs checked equal ' +
      'to the expected value on both engines before the figures count. "vs peer" > 1 is faster for transitions/s.',
    'latency: ours = SendTaskSuccess dispatched → the next lambda:invoke.waitForTaskToken Task invocation reaching a ' +
      'local Lambda server; peer (no task tokens) = the Lambda answer to Task k written → the Task k+1 invocation ' +
      'reaching the same kind of server. Both include one local HTTP invoke. "vs peer" > 1 is slower.',
    'tenggat is measured through engine.dispatch (no HTTP front); the peer in a Node 22 child process; both in memory ' +
      'except the SQLite-file rows, which persist every transition.',
  );
  return {
    name: 'sfn-engine',
    description: 'local Step Functions engine vs aws-local-stepfunctions v3',
    rows,
    notes,
  };
};
