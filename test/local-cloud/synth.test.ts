import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SynthError, synth } from '../../local/cloud/synth';

const cdkLib = resolve('node_modules/aws-cdk-lib');
const cdkBin = resolve('node_modules/.bin/cdk');

/** A one-stack CDK app whose output carries the `greeting` context value. */
function makeProject(): string {
  const projectDir = mkdtempSync(join(tmpdir(), 'synth-project-'));
  mkdirSync(join(projectDir, 'lib'));
  mkdirSync(join(projectDir, 'node_modules', '.bin'), { recursive: true });
  writeFileSync(join(projectDir, 'node_modules', '.bin', 'cdk'), `#!/bin/sh\nexec "${cdkBin}" "$@"\n`, {
    mode: 0o755,
  });
  writeFileSync(
    join(projectDir, 'lib', 'app.cjs'),
    `const cdk = require(${JSON.stringify(cdkLib)});
const app = new cdk.App();
const stack = new cdk.Stack(app, 'TinyStack');
new cdk.CfnOutput(stack, 'Greeting', { value: String(app.node.tryGetContext('greeting') ?? 'none') });
if (app.node.tryGetContext('fail') === 'yes') throw new Error('asked to fail');
app.synth();
`,
  );
  writeFileSync(join(projectDir, 'cdk.json'), JSON.stringify({ app: 'node lib/app.cjs' }));
  return projectDir;
}

const greetingOf = (cdkOutDir: string) =>
  JSON.parse(readFileSync(join(cdkOutDir, 'TinyStack.template.json'), 'utf8')).Outputs.Greeting.Value;

describe('synth', () => {
  it('synthesizes with context, reuses the output while nothing changed, and synthesizes again on a change', async () => {
    const projectDir = makeProject();
    const progress: string[] = [];
    const first = await synth({
      projectDir,
      context: { greeting: 'hello' },
      onProgress: (l) => progress.push(l),
    });
    expect(first.skipped).toBe(false);
    expect(greetingOf(first.cdkOutDir)).toBe('hello');
    expect(progress.some((line) => line.includes('done'))).toBe(true);

    const second = await synth({ projectDir, context: { greeting: 'hello' } });
    expect(second.skipped).toBe(true);
    expect(second.durationMs).toBeLessThan(1000);

    const otherContext = await synth({ projectDir, context: { greeting: 'halo' } });
    expect(otherContext.skipped).toBe(false);
    expect(greetingOf(otherContext.cdkOutDir)).toBe('halo');

    writeFileSync(join(projectDir, 'lib', 'extra.ts'), 'export const changed = true;\n');
    const afterEdit = await synth({ projectDir, context: { greeting: 'halo' } });
    expect(afterEdit.skipped).toBe(false);
  }, 120_000);

  it('fails with the synth output when the app throws', async () => {
    const projectDir = makeProject();
    await expect(synth({ projectDir, context: { fail: 'yes' } })).rejects.toThrow(SynthError);
  }, 60_000);
});
