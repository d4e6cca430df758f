/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: the fake npm is a shell script (${1#node@} is shell syntax) */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

/** A fake `npm` on PATH: `install --prefix <dir> ... node@<major>` writes a `node` that prints v<major>.1.2. */
function fakeNpm(behaviour: 'installs' | 'fails'): string {
  const bin = mkdtempSync(join(tmpdir(), 'fake-npm-'));
  const script =
    behaviour === 'fails'
      ? '#!/bin/sh\necho "npm error code E404" >&2\nexit 1\n'
      : [
          '#!/bin/sh',
          'prefix=""; while [ $# -gt 0 ]; do case "$1" in --prefix) prefix="$2"; shift;; node@*) major="${1#node@}";; esac; shift; done',
          'mkdir -p "$prefix/node_modules/node/bin"',
          'printf \'#!/bin/sh\\necho v%s.1.2\\n\' "$major" > "$prefix/node_modules/node/bin/node"',
          'chmod +x "$prefix/node_modules/node/bin/node"',
          '',
        ].join('\n');
  writeFileSync(join(bin, 'npm'), script);
  chmodSync(join(bin, 'npm'), 0o755);
  return bin;
}

async function freshModule() {
  vi.resetModules();
  return import('../../local/cloud/node-runtime');
}

describe('the Node binary of a Lambda runtime', () => {
  const saved = { PATH: process.env.PATH, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };
  afterEach(() => {
    // Other files run in this worker after this one (isolate: false): put back exactly what was there, and an
    // unset variable stays unset (assigning undefined would leave the string "undefined").
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    delete process.env.TENGGAT_NODE_18;
  });

  it('maps runtime names to Node majors and uses this Node for its own major', async () => {
    const runtime = await freshModule();
    expect(runtime.nodeMajorOf('nodejs22.x')).toBe(22);
    expect(runtime.nodeMajorOf('python3.12')).toBeUndefined();
    const own = Number(process.versions.node.split('.')[0]);
    expect(await runtime.ensureNodeBinary(own)).toBe(process.execPath);
    await expect(runtime.nodeBinaryForRuntime('python3.12')).rejects.toThrow(runtime.NodeRuntimeError);
  });

  it('installs node@<major> into the cache once, with progress lines, then reuses it', async () => {
    process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'cache-'));
    process.env.PATH = `${fakeNpm('installs')}:${saved.PATH}`;
    const runtime = await freshModule();
    const progress: string[] = [];
    const binary = await runtime.ensureNodeBinary(18, { onProgress: (line) => progress.push(line) });
    expect(binary).toBe(
      join(process.env.XDG_CACHE_HOME, 'tenggat-node18', 'node_modules', 'node', 'bin', 'node'),
    );
    expect(progress[0]).toMatch(
      /^installing Node 18 from the npm registry into .*tenggat-node18 \(first use only\)/,
    );
    expect(progress[1]).toMatch(/^installed Node 18 in \d+\.\d s$/);
    const again = await freshModule();
    process.env.PATH = `${fakeNpm('fails')}:${saved.PATH}`;
    expect(await again.ensureNodeBinary(18, { onProgress: (line) => progress.push(line) })).toBe(binary);
    expect(progress).toHaveLength(2);
  });

  it('says what to do when it cannot install, and checks an override', async () => {
    process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'cache-'));
    process.env.PATH = `${fakeNpm('fails')}:${saved.PATH}`;
    const runtime = await freshModule();
    await expect(runtime.ensureNodeBinary(18, { onProgress: () => {} })).rejects.toThrow(
      /cannot install Node 18 .*npm error code E404.*npm install --prefix .*node@18.*TENGGAT_NODE_18/,
    );
    const wrong = join(mkdtempSync(join(tmpdir(), 'wrong-')), 'node');
    mkdirSync(join(wrong, '..'), { recursive: true });
    writeFileSync(wrong, '#!/bin/sh\necho v16.0.0\n');
    chmodSync(wrong, 0o755);
    process.env.TENGGAT_NODE_18 = wrong;
    const overridden = await freshModule();
    await expect(overridden.ensureNodeBinary(18)).rejects.toThrow(
      /TENGGAT_NODE_18=.* is not a working Node 18 binary/,
    );
  });
});
