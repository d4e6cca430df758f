import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import decompress from '../../functions/src/stand-ins/brotli-decompress';
import { gte } from '../../functions/src/stand-ins/semver';
import { BUNDLE_ALIASES, FUNCTION_BUNDLING } from '../../lib/function-specs';
import { buildFunctionBundle, type FunctionBundle } from '../../scripts/function-bundles';

/**
 * The stand-ins the bundles carry instead of whole libraries (`BUNDLE_ALIASES`), and what leaving out keepNames
 * relies on. The letters' bundle holds pdfkit, fontkit and the X-Ray SDK: every library a stand-in serves.
 */
let bundle: FunctionBundle;
beforeAll(async () => {
  bundle = await buildFunctionBundle('ReportsFunction');
}, 60_000);

/** The bundled files that import `name` (through its alias), with their source. */
function importersOf(name: string): { path: string; source: string }[] {
  return Object.entries(bundle.metafile.inputs)
    .filter(([, input]) => input.imports.some((edge) => edge.original === name))
    .map(([path]) => ({ path, source: readFileSync(path, 'utf8') }));
}

describe('the semver stand-in', () => {
  it('answers gte as semver does for release versions and a prerelease against its release', () => {
    // What semver.gte answers for each pair.
    const pairs = [
      ['22.12.0', '8.0.0', true],
      ['8.0.0', '8.0.0', true],
      ['7.10.1', '8.0.0', false],
      ['v20.1.0', '20.0.9', true],
      ['2.1000.0', '2.999.0', true],
      ['1.0.0-beta.1', '1.0.0', false],
      ['1.0.1-beta.1', '1.0.0', true],
      ['1.0.0', '1.0.0-beta.1', true],
    ] as const;
    for (const [version, minimum, answer] of pairs) {
      expect(gte(version, minimum), `${version} >= ${minimum}`).toBe(answer);
    }
    expect(() => gte('not a version', '1.0.0')).toThrow(TypeError);
  });

  it('serves every bundled library that imports semver, which calls nothing but gte', () => {
    expect(BUNDLE_ALIASES.semver).toBeDefined();
    const importers = importersOf('semver');
    expect(importers.length).toBeGreaterThan(0);
    for (const { path, source } of importers) {
      const binding = /(\w+)\s*=\s*require\(['"]semver['"]\)/.exec(source)?.[1];
      expect(binding, path).toBeDefined();
      const calls = new Set([...source.matchAll(new RegExp(`\\b${binding}\\.(\\w+)`, 'g'))].map((m) => m[1]));
      expect([...calls], path).toEqual(['gte']);
    }
  });
});

describe('the brotli stand-in', () => {
  it('inflates what brotli deflated, for fontkit, which no longer bundles the JavaScript decoder', () => {
    const table = Buffer.from('glyf loca head '.repeat(500));
    expect(Buffer.from(decompress(brotliCompressSync(table), table.byteLength)).equals(table)).toBe(true);
    expect(importersOf('brotli/decompress.js').map(({ path }) => path)).toEqual([
      'node_modules/fontkit/dist/module.mjs',
    ]);
    expect(
      Object.keys(bundle.metafile.inputs).filter((path) => path.includes('node_modules/brotli/')),
    ).toEqual([]);
  });
});

/** Every `.ts` file under a directory, tests left out. */
function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('minifying without keepNames', () => {
  it('is safe for our errors: every error class of the functions names itself', () => {
    expect(FUNCTION_BUNDLING.keepNames).toBe(false);
    const unnamed: string[] = [];
    let classes = 0;
    for (const file of sourceFiles('functions/src')) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/class (\w+) extends \w*Error\b[^{]*\{/g)) {
        classes += 1;
        const body = source.slice(match.index, source.indexOf('\n}', match.index));
        if (!body.includes(`name = '${match[1]}'`)) unnamed.push(`${file}: ${match[1]}`);
      }
    }
    expect(classes).toBeGreaterThan(30);
    expect(unnamed).toEqual([]);
  });
});
