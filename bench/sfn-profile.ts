/**
 * A driver for `node --cpu-prof --import tsx bench/sfn-profile.ts <pass|choice> <memory|file> [batches]`:
 * the bench's throughput workloads on our engine only, 100 executions in flight per batch, after a warm-up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createEngine } from '../local/sfn/engine';
import { choiceLoop, passChain } from './sfn-workloads';

const [kind = 'pass', mode = 'memory', batchText = '30'] = process.argv.slice(2);
const workload = kind === 'choice' ? choiceLoop(100) : passChain(100);
const dir = mkdtempSync(join(tmpdir(), 'sfn-profile-'));
const engine = await createEngine({ dataPath: mode === 'file' ? join(dir, 'p.sqlite') : ':memory:' });
const created = await engine.dispatch('CreateStateMachine', {
  name: 'profile',
  definition: JSON.stringify(workload.definition),
  roleArn: 'arn:aws:iam::123456789012:role/profile',
});
const stateMachineArn = String(created.stateMachineArn);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function batch(count: number): Promise<number> {
  const started = performance.now();
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
  return (count * workload.transitionsPerExecution) / ((performance.now() - started) / 1000);
}

await batch(20);
const rates: number[] = [];
for (let index = 0; index < Number(batchText); index++) rates.push(await batch(100));
rates.sort((a, b) => a - b);
console.log(
  `${kind} ${mode}: median ${Math.round(rates[rates.length >> 1] ?? 0)} transitions/s, min ${Math.round(rates[0] ?? 0)}, max ${Math.round(rates.at(-1) ?? 0)}`,
);
await engine.close();
rmSync(dir, { recursive: true, force: true });
