/**
 * A driver for `node --cpu-prof --import tsx bench/sfn-profile.ts <pass|choice> <memory|file> [batches] [fresh]`:
 * the bench's throughput workloads on our engine only, 100 executions in flight per batch, after a warm-up.
 * With `fresh`, every batch gets its own engine and warm-up, as a round of the bench does (the history of
 * earlier batches then does not pile up on the heap). Prints the rates and the CPU time per transition.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createEngine } from '../local/sfn/engine';
import type { StepFunctionsEngine } from '../local/sfn/service-api';
import { choiceLoop, passChain } from './sfn-workloads';

const [kind = 'pass', mode = 'memory', batchText = '30', fresh] = process.argv.slice(2);
const workload = kind === 'choice' ? choiceLoop(100) : passChain(100);
const dir = mkdtempSync(join(tmpdir(), 'sfn-profile-'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let engines = 0;

async function open(): Promise<{ engine: StepFunctionsEngine; stateMachineArn: string }> {
  const dataPath = mode === 'file' ? join(dir, `p${engines++}.sqlite`) : ':memory:';
  const engine = await createEngine({ dataPath });
  const created = await engine.dispatch('CreateStateMachine', {
    name: 'profile',
    definition: JSON.stringify(workload.definition),
    roleArn: 'arn:aws:iam::123456789012:role/profile',
  });
  return { engine, stateMachineArn: String(created.stateMachineArn) };
}

async function batch(target: Awaited<ReturnType<typeof open>>, count: number): Promise<void> {
  const { engine, stateMachineArn } = target;
  for (let index = 0; index < count; index++) {
    await engine.dispatch('StartExecution', { stateMachineArn, input: JSON.stringify(workload.input) });
  }
  for (;;) {
    const running = await engine.dispatch('ListExecutions', {
      stateMachineArn,
      statusFilter: 'RUNNING',
      maxResults: 1,
    });
    if (!Array.isArray(running.executions) || running.executions.length === 0) break;
    await sleep(2);
  }
}

const rates: number[] = [];
const cpuPerTransitionNs: number[] = [];
const shared = fresh === undefined ? await open() : undefined;
if (shared) await batch(shared, 20);
for (let index = 0; index < Number(batchText); index++) {
  const target = shared ?? (await open());
  if (!shared) await batch(target, 20);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await batch(target, 100);
  const elapsedMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const transitions = 100 * workload.transitionsPerExecution;
  rates.push(transitions / (elapsedMs / 1000));
  cpuPerTransitionNs.push(((used.user + used.system) * 1000) / transitions);
  if (!shared) await target.engine.close();
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
console.log(
  `${kind} ${mode}: median ${Math.round(median(rates))} transitions/s, min ${Math.round(Math.min(...rates))}, max ${Math.round(Math.max(...rates))}; CPU ${Math.round(median(cpuPerTransitionNs))} ns per transition (median, all threads)`,
);
await shared?.engine.close();
rmSync(dir, { recursive: true, force: true });
