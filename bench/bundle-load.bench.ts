/**
 * `npm run bench -- bundle-load`: how long Node 22 takes to load a function's handler (the module-load part of a
 * cold start) with the runtime's AWS SDK, as the functions are bundled, and with the SDK bundled, as before.
 * Each variant is loaded in a fresh process, with the template's environment and Lambda's module path
 * (`local/cloud/runtime-modules.cjs`); the SDK comes from this project's node_modules.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { FunctionId } from '../lib/functions';
import { ensureNodeBinary } from '../local/cloud/node-runtime';
import { esbuildOptionsFor } from '../scripts/function-bundles';
import { synthTenggat } from '../test/infra/synth-tenggat';
import { resolveToString } from '../test/infra/template-values';
import type { BenchReport, BenchRun } from './bench-report';

const FUNCTIONS: readonly FunctionId[] = ['ReadOrdersFunction', 'SubmitOrderFunction', 'ReportsFunction'];
const VARIANTS = { 'runtime SDK': {}, 'SDK bundled': { external: [] } } as const;
const RUNTIME_MODULES = resolve('local/cloud/runtime-modules.cjs');

async function writeVariant(functionId: FunctionId, external: object, directory: string): Promise<void> {
  const result = await build({ ...esbuildOptionsFor(functionId), ...external, sourcemap: false });
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'index.js'), result.outputFiles?.[0]?.contents ?? '');
  writeFileSync(join(directory, 'package.json'), '{"type":"commonjs"}');
}

/** Milliseconds from the first line to the handler exported, in a fresh Node process, `runs` times, sorted. */
function loadTimes(node: string, directory: string, env: NodeJS.ProcessEnv, runs: number): number[] {
  const script =
    'const t = process.hrtime.bigint();' +
    `require(${JSON.stringify(RUNTIME_MODULES)}).provideRuntimeModules(${JSON.stringify(directory)});` +
    `if (typeof require(${JSON.stringify(join(directory, 'index.js'))}).handler !== 'function') process.exit(3);` +
    'process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));';
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const result = spawnSync(node, ['-e', script], { env, encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) throw new Error(`loading ${directory} failed: ${result.stderr.slice(0, 400)}`);
    times.push(Number(result.stdout));
  }
  return times.sort((left, right) => left - right);
}

function environmentOf(resources: Record<string, { Properties?: Record<string, unknown> }>, id: FunctionId) {
  const environment = resources[id]?.Properties?.Environment as
    | { Variables?: Record<string, unknown> }
    | undefined;
  const variables = environment?.Variables ?? {};
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AWS_REGION: 'ap-southeast-3',
    AWS_LAMBDA_FUNCTION_NAME: id,
  };
  for (const [name, value] of Object.entries(variables)) env[name] = resolveToString(value);
  return env;
}

export const run: BenchRun = async ({ quick }): Promise<BenchReport> => {
  const runs = quick ? 5 : 15;
  const node = await ensureNodeBinary(22);
  const resources = synthTenggat().template.toJSON().Resources;
  const scratch = mkdtempSync(join(tmpdir(), 'tenggat-bundle-load-'));
  const rows: BenchReport['rows'] = [];
  try {
    for (const functionId of FUNCTIONS) {
      for (const [variant, external] of Object.entries(VARIANTS)) {
        const directory = join(scratch, `${functionId}-${variant.replace(' ', '-')}`);
        await writeVariant(functionId, external, directory);
        const times = loadTimes(node, directory, environmentOf(resources, functionId), runs);
        const at = (share: number) => times[Math.min(times.length - 1, Math.floor(times.length * share))];
        rows.push({
          function: functionId,
          variant,
          'min ms': at(0)?.toFixed(0) ?? null,
          'p50 ms': at(0.5)?.toFixed(0) ?? null,
        });
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return {
    name: 'bundle-load',
    description: "Loading a function's handler on Node 22: the runtime's AWS SDK against the SDK bundled",
    rows,
    notes: [
      `${runs} fresh processes per variant; the time from the first line to the handler exported (no invocation).`,
      "The runtime's SDK is its packages whole (every command of a client, not minified); a bundle held only what it used.",
      "Here the SDK is read from this project's node_modules; on AWS from /var/runtime/node_modules.",
    ],
  };
};
