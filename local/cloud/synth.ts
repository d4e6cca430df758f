/**
 * Runs `cdk synth --quiet` with context flags, skipped when neither the sources nor the context changed since the
 * last synth (a hash kept inside the output dir, so deleting `cdk.out` forces a fresh synth).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export class SynthError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SynthError';
  }
}

/** What a change to forces a new synth. */
export const DEFAULT_SYNTH_INPUTS = [
  'bin',
  'lib',
  'functions',
  'console',
  'cli',
  'config',
  'cdk.json',
  'package-lock.json',
];
const HASH_FILE = 'tenggat-synth-hash.json';
const IGNORED_DIRECTORIES = new Set(['node_modules', 'cdk.out', '.tenggat', '.git']);

export interface SynthOptions {
  projectDir: string;
  /** `-c key=value` pairs. */
  context?: Record<string, string>;
  /** Output dir, relative to the project (default `cdk.out`). */
  outDir?: string;
  inputs?: string[];
  force?: boolean;
  onProgress?: (line: string) => void;
}

export interface SynthResult {
  cdkOutDir: string;
  skipped: boolean;
  hash: string;
  durationMs: number;
}

/** Hash of every input file (path and content) and the context. */
export function synthInputHash(
  projectDir: string,
  inputs: string[],
  context: Record<string, string>,
): string {
  const hash = createHash('sha256');
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        if (!IGNORED_DIRECTORIES.has(entry)) visit(join(path, entry));
      }
      return;
    }
    hash.update(relative(projectDir, path)).update('\0').update(readFileSync(path)).update('\0');
  };
  for (const input of inputs) visit(join(projectDir, input));
  const sortedContext = Object.fromEntries(Object.entries(context).sort(([a], [b]) => a.localeCompare(b)));
  hash.update(JSON.stringify(sortedContext));
  return hash.digest('hex');
}

export async function synth(options: SynthOptions): Promise<SynthResult> {
  const started = Date.now();
  const context = options.context ?? {};
  const outDir = options.outDir ?? 'cdk.out';
  const cdkOutDir = resolve(options.projectDir, outDir);
  const hashFile = join(cdkOutDir, HASH_FILE);
  const hash = synthInputHash(options.projectDir, options.inputs ?? DEFAULT_SYNTH_INPUTS, context);
  const progress = options.onProgress ?? (() => {});
  if (!options.force && existsSync(hashFile)) {
    try {
      if ((JSON.parse(readFileSync(hashFile, 'utf8')) as { hash?: string }).hash === hash) {
        progress(`synth: sources and configuration unchanged, reusing ${outDir}`);
        return { cdkOutDir, skipped: true, hash, durationMs: Date.now() - started };
      }
    } catch {
      // an unreadable hash file means synthesize again
    }
  }
  const localCdk = join(options.projectDir, 'node_modules', '.bin', 'cdk');
  const command = existsSync(localCdk) ? localCdk : 'npx';
  const args = [
    ...(command === 'npx' ? ['cdk'] : []),
    'synth',
    '--quiet',
    '-o',
    outDir,
    ...Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
  ];
  progress(`synth: cdk ${args.filter((arg) => arg !== 'cdk').join(' ')}`);
  const ticker = setInterval(
    () => progress(`synth: still synthesizing (${Math.round((Date.now() - started) / 1000)} s)`),
    5000,
  );
  const output: string[] = [];
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(command, args, { cwd: options.projectDir, stdio: ['ignore', 'pipe', 'pipe'] });
      const collect = (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (!line.trim()) continue;
          output.push(line);
          progress(`synth: ${line}`);
        }
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new SynthError(`cdk synth failed (exit ${code}):\n${output.slice(-30).join('\n')}`);
  } finally {
    clearInterval(ticker);
  }
  writeFileSync(hashFile, JSON.stringify({ hash, context, at: new Date().toISOString() }, null, 2));
  const durationMs = Date.now() - started;
  progress(`synth: done in ${(durationMs / 1000).toFixed(1)} s`);
  return { cdkOutDir, skipped: false, hash, durationMs };
}
