/**
 * The Node binary for a Lambda runtime (`nodejs22.x` → Node 22): this process's own Node when its major matches,
 * else `TENGGAT_NODE_<major>`, else a Node installed from the npm registry (`node@<major>`) into the user's cache
 * (`~/.cache/tenggat-node<major>`) on first use. Used by the local Lambda service and the engine benchmark.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export class NodeRuntimeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NodeRuntimeError';
  }
}

/** `nodejs22.x` → 22; undefined for a runtime that is not Node. */
export function nodeMajorOf(runtime: string): number | undefined {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  return match?.[1] ? Number(match[1]) : undefined;
}

/** Where `node@<major>` is installed: `$XDG_CACHE_HOME` or `~/.cache`, `tenggat-node<major>`. */
export function nodeCacheDir(major: number): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), `tenggat-node${major}`);
}

const binaryIn = (prefix: string) => join(prefix, 'node_modules', 'node', 'bin', 'node');
const installs = new Map<number, Promise<string>>();

async function majorOfBinary(binary: string): Promise<number | undefined> {
  try {
    const { stdout } = await execFileAsync(binary, ['--version'], { timeout: 30_000 });
    return Number(/^v(\d+)\./.exec(stdout.trim())?.[1]);
  } catch {
    return undefined;
  }
}

async function install(major: number, onProgress: (line: string) => void): Promise<string> {
  const prefix = nodeCacheDir(major);
  const staging = `${prefix}.installing-${process.pid}-${Date.now()}`;
  const started = Date.now();
  onProgress(`installing Node ${major} from the npm registry into ${prefix} (first use only) ...`);
  mkdirSync(dirname(prefix), { recursive: true });
  try {
    await execFileAsync(
      'npm',
      [
        'install',
        '--prefix',
        staging,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        `node@${major}`,
      ],
      { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
    );
    if ((await majorOfBinary(binaryIn(staging))) !== major) {
      throw new Error(`npm installed no working Node ${major} binary at ${binaryIn(staging)}`);
    }
    // Another process may have finished first: keep its copy (the rename is atomic, so nobody sees half of one).
    if (existsSync(binaryIn(prefix))) rmSync(staging, { recursive: true, force: true });
    else {
      rmSync(prefix, { recursive: true, force: true });
      renameSync(staging, prefix);
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    const detail =
      (error as { stderr?: string }).stderr?.trim().split('\n').slice(-3).join(' ') ?? String(error);
    throw new NodeRuntimeError(
      `cannot install Node ${major} into ${prefix}: ${detail || String(error)}. Install it by hand with ` +
        `"npm install --prefix ${prefix} node@${major}", or set TENGGAT_NODE_${major} to a Node ${major} binary.`,
      { cause: error },
    );
  }
  onProgress(`installed Node ${major} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return binaryIn(prefix);
}

/** The path of a Node `major` binary, installed on first use (once per process, whoever asks). */
export function ensureNodeBinary(
  major: number,
  options: { onProgress?: (line: string) => void } = {},
): Promise<string> {
  if (Number(process.versions.node.split('.')[0]) === major) return Promise.resolve(process.execPath);
  const known = installs.get(major);
  if (known) return known;
  const found = (async () => {
    const override = process.env[`TENGGAT_NODE_${major}`];
    if (override) {
      if ((await majorOfBinary(override)) !== major) {
        throw new NodeRuntimeError(`TENGGAT_NODE_${major}=${override} is not a working Node ${major} binary`);
      }
      return override;
    }
    const cached = binaryIn(nodeCacheDir(major));
    if (existsSync(cached) && (await majorOfBinary(cached)) === major) return cached;
    return install(major, options.onProgress ?? ((line) => process.stderr.write(`${line}\n`)));
  })();
  installs.set(major, found);
  found.catch(() => installs.delete(major));
  return found;
}

/** The Node binary for a Lambda runtime name; a runtime that is not Node is an error. */
export function nodeBinaryForRuntime(
  runtime: string,
  options: { onProgress?: (line: string) => void } = {},
): Promise<string> {
  const major = nodeMajorOf(runtime);
  if (major === undefined) {
    return Promise.reject(
      new NodeRuntimeError(`the local Lambda service runs Node runtimes only, not ${runtime}`),
    );
  }
  return ensureNodeBinary(major, options);
}
