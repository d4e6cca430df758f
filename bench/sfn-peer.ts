/**
 * Child process for the side-by-side benchmark: runs a job on `aws-local-stepfunctions`, on the bench's own Node
 * through tsx, or on `SFN_PEER_NODE` with Node's type stripping (so only erasable TypeScript and no local imports here).
 * Job JSON in argv[2], result JSON as the last stdout line.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

interface ThroughputJob {
  kind: 'throughput';
  definition: Record<string, unknown>;
  input: Record<string, unknown>;
  executions: number;
  warmupExecutions: number;
}

interface CallbackJob {
  kind: 'callback';
  definition: { States: Record<string, unknown> };
  executions: number;
  warmupExecutions: number;
}

type Job = ThroughputJob | CallbackJob;

type JsonValue = Parameters<StateMachine['run']>[0];

// The peer's Task state calls Promise.withResolvers (Node 22); on Node 20 it gets the standard one.
const promiseStatics = Promise as unknown as { withResolvers?: () => unknown };
if (typeof promiseStatics.withResolvers !== 'function') {
  promiseStatics.withResolvers = () => {
    let resolve: unknown;
    let reject: unknown;
    const promise = new Promise((yes, no) => {
      resolve = yes;
      reject = no;
    });
    return { promise, resolve, reject };
  };
}

async function throughput(job: ThroughputJob) {
  const machine = new StateMachine(job.definition as unknown as StateMachineDefinition);
  const runAll = (count: number) =>
    Promise.all(Array.from({ length: count }, () => machine.run(job.input as JsonValue).result));
  await runAll(job.warmupExecutions);
  const started = performance.now();
  const outputs = await runAll(job.executions);
  const elapsedMs = performance.now() - started;
  const first = JSON.stringify(outputs[0]);
  return {
    elapsedMs,
    output: outputs[0],
    allOutputsEqual: outputs.every((output) => JSON.stringify(output) === first),
  };
}

/**
 * The peer has no task tokens, so its Tasks call a Lambda ARN that the AWS SDK sends to a local Invoke API
 * (`AWS_ENDPOINT_URL_LAMBDA`). Latency = answer to Task k written → invocation of Task k+1 arriving, the same
 * path as SendTaskSuccess → next invocation on the local engine.
 */
async function callback(job: CallbackJob) {
  const latenciesMs: number[] = [];
  let answeredAt: number | null = null;
  const server = createServer((request, response) => {
    const arrivedAt = performance.now();
    request.resume();
    request.on('end', () => {
      if (answeredAt !== null) latenciesMs.push(arrivedAt - answeredAt);
      response.writeHead(200, { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST' });
      response.end('{}', () => {
        answeredAt = performance.now();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env.AWS_ENDPOINT_URL_LAMBDA = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.AWS_ACCESS_KEY_ID = 'bench';
  process.env.AWS_SECRET_ACCESS_KEY = 'bench';
  process.env.AWS_REGION = 'us-east-1';
  const machine = new StateMachine(job.definition as unknown as StateMachineDefinition);
  const runOnce = async () => {
    answeredAt = null;
    await machine.run({}).result;
  };
  for (let index = 0; index < job.warmupExecutions; index++) await runOnce();
  latenciesMs.length = 0;
  for (let index = 0; index < job.executions; index++) await runOnce();
  server.closeAllConnections();
  server.close();
  return { latenciesMs };
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const result = job.kind === 'throughput' ? await throughput(job) : await callback(job);
process.stdout.write(`${JSON.stringify({ node: process.version, ...result })}\n`);
