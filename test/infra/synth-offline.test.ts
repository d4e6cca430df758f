import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FUNCTION_IDS } from '../../lib/functions';
import { buildFunctionBundle } from '../../scripts/function-bundles';
import { resolveToString } from './template-values';

const scratch = mkdtempSync(join(tmpdir(), 'tenggat-synth-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the CDK app the way `cdk synth` does (CDK_OUTDIR, CDK_CONTEXT_JSON), with no AWS credentials or network. */
function runApp(context: Record<string, unknown>, outdir: string) {
  const environment: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CDK_OUTDIR: outdir,
    // The CLI adds these two so that the template names each resource's construct path and asset folder.
    CDK_CONTEXT_JSON: JSON.stringify({
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:enable-asset-metadata': true,
      ...context,
    }),
  };
  return spawnSync(process.execPath, ['--import', 'tsx', 'bin/tenggat.ts'], {
    env: environment,
    encoding: 'utf8',
    timeout: 240_000,
  });
}

const RUNTIME_MODULES = join(process.cwd(), 'local', 'cloud', 'runtime-modules.cjs');

/**
 * Loads a bundle on this machine's Node (20) in a fresh process, with the variables the template gives it and the
 * module path of Lambda's runtime (the AWS SDK provided, nothing else of this project), as the local cloud runs it.
 */
function expectBundleLoads(assetDirectory: string, variables: Record<string, unknown>, functionId: string) {
  // AWS_LAMBDA_FUNCTION_NAME: Lambda sets it for every function (the intake function invokes itself by it).
  const environment: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AWS_REGION: 'ap-southeast-3',
    AWS_LAMBDA_FUNCTION_NAME: functionId,
  };
  for (const [name, value] of Object.entries(variables)) environment[name] = resolveToString(value);
  const script =
    `require(${JSON.stringify(RUNTIME_MODULES)}).provideRuntimeModules(${JSON.stringify(assetDirectory)}); ` +
    `const m = require(${JSON.stringify(join(assetDirectory, 'index.js'))}); process.stdout.write(typeof m.handler);`;
  const result = spawnSync(process.execPath, ['-e', script], {
    env: environment,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.stderr, functionId).not.toMatch(/Error/);
  expect(result.stdout, functionId).toBe('function');
}

describe('synthesizing the app offline', () => {
  it('bundles every function and writes a template with the fast policy', async () => {
    const outdir = join(scratch, 'fast');
    const result = runApp({ 'tenggat:policy': 'fast', 'tenggat:allowLoopbackWebhooks': true }, outdir);
    expect(result.stderr).not.toMatch(/configuration error/i);
    expect(result.status).toBe(0);

    const template = JSON.parse(readFileSync(join(outdir, 'Tenggat.template.json'), 'utf8'));
    const assets = JSON.parse(readFileSync(join(outdir, 'Tenggat.assets.json'), 'utf8')) as {
      files: Record<string, { source: { path: string } }>;
    };
    for (const functionId of FUNCTION_IDS) {
      const fn = template.Resources[functionId];
      const policy = JSON.parse(fn.Properties.Environment.Variables.POLICY);
      expect(policy.name, functionId).toBe('fast');
      const assetPath = fn.Metadata['aws:asset:path'] as string;
      const bundle = join(outdir, assetPath, 'index.js');
      expect(existsSync(bundle), functionId).toBe(true);
      expect(existsSync(`${bundle}.map`), functionId).toBe(true);
      const code = readFileSync(bundle, 'utf8');
      expect(code, functionId).toMatch(/module\.exports/);
      expect(code, functionId).toMatch(/sourceMappingURL=index\.js\.map/);
      expect(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')), functionId).not.toHaveProperty(
        'sourcesContent',
      );
      // The bundle the budget and IAM tests measure is the very file cdk synth writes.
      const measured = await buildFunctionBundle(functionId);
      expect(Buffer.from(measured.code).equals(readFileSync(bundle)), functionId).toBe(true);
      expect(
        Object.values(assets.files).some((file) => file.source.path === assetPath),
        functionId,
      ).toBe(true);
      expectBundleLoads(join(outdir, assetPath), fn.Properties.Environment.Variables, functionId);
    }
  }, 240_000);

  it('stops with a message naming the broken policy field', () => {
    const brokenPolicy = join(scratch, 'broken-policy.json');
    const policy = JSON.parse(readFileSync('config/policies/fast.json', 'utf8'));
    writeFileSync(brokenPolicy, JSON.stringify({ ...policy, deliveryRetrySchedule: ['soon'] }));
    const outdir = join(scratch, 'broken');
    const result = runApp({ 'tenggat:policy': brokenPolicy }, outdir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Tenggat configuration error');
    expect(result.stderr).toContain('deliveryRetrySchedule.0');
    expect(result.stderr).toContain(brokenPolicy);
    expect(existsSync(join(outdir, 'Tenggat.template.json'))).toBe(false);
  }, 120_000);
});
