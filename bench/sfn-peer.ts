/**
 * Child process for the side-by-side benchmark: runs a job on `aws-local-stepfunctions` (needs Node 22; started
 * with that binary and Node's type stripping, so only erasable TypeScript and no local imports here).
 * Job JSON in argv[2], result JSON as the last stdout line.
 */
import { performance } from 'node:perf_hooks';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

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

type Handlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type Handler = Handlers[string];
type JsonValue = Parameters<StateMachine['run']>[0];

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

async function callback(job: CallbackJob) {
  const machine = new StateMachine(job.definition as unknown as StateMachineDefinition);
  const latenciesMs: number[] = [];
  let resolvedAt: number | null = null;
  // The handler plays the callback: it "receives the token" when called and completes right away, like a
  // SendTaskSuccess sent as soon as the Lambda got the token.
  const handler: Handler = async (input) => {
    const now = performance.now();
    if (resolvedAt !== null) latenciesMs.push(now - resolvedAt);
    await new Promise((resolve) => setImmediate(resolve));
    resolvedAt = performance.now();
    return input;
  };
  const handlers: Handlers = Object.fromEntries(
    Object.keys(job.definition.States).map((name) => [name, handler]),
  );
  const runOnce = async () => {
    resolvedAt = null;
    await machine.run({}, { overrides: { taskResourceLocalHandlers: handlers } }).result;
  };
  for (let index = 0; index < job.warmupExecutions; index++) await runOnce();
  latenciesMs.length = 0;
  for (let index = 0; index < job.executions; index++) await runOnce();
  return { latenciesMs };
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const result = job.kind === 'throughput' ? await throughput(job) : await callback(job);
process.stdout.write(`${JSON.stringify({ node: process.version, ...result })}\n`);
