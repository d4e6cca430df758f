/**
 * Builds the web console into a folder of static files: `index.html`, `assets/<name>-<hash>.{js,css}` (cached
 * forever, the hash changes with the content) and nothing else; `config.json` is added at deploy time.
 * Synchronous, so the CDK construct can run it as its asset's local bundling. `npx tsx console/build.ts [outDir]`.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

export const CONSOLE_DIR = dirname(fileURLToPath(import.meta.url));
export const CONSOLE_SOURCE_DIR = join(CONSOLE_DIR, 'src');
export const DEFAULT_CONSOLE_OUT_DIR = join(CONSOLE_DIR, 'dist');

export function buildConsoleSync(outDir: string = DEFAULT_CONSOLE_OUT_DIR): { files: string[] } {
  rmSync(join(outDir, 'assets'), { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = buildSync({
    entryPoints: [join(CONSOLE_SOURCE_DIR, 'main.tsx'), join(CONSOLE_SOURCE_DIR, 'styles.css')],
    outdir: join(outDir, 'assets'),
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: false,
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile?.outputs ?? {}).map((file) => resolve(file));
  const entry = (name: string, extension: string) => {
    const found = outputs.find((file) => basename(file).startsWith(`${name}-`) && file.endsWith(extension));
    if (!found) throw new Error(`console build: no ${name}${extension} in the output`);
    return relative(outDir, found).split('\\').join('/');
  };
  const main = entry('main', '.js');
  // The chunks main imports statically, fetched with it rather than after it has been parsed (one round trip
  // less on every first load); chunks behind a dynamic import (the graph layout) stay on demand.
  const staticChunks = (result.metafile?.outputs[join(relative(process.cwd(), outDir), main)]?.imports ?? [])
    .filter((imported) => imported.kind === 'import-statement')
    .map((imported) => relative(outDir, resolve(imported.path)).split('\\').join('/'));
  const preloads = staticChunks
    .map((chunk) => `<link rel="modulepreload" href="/${chunk}" />`)
    .join('\n    ');
  const html = readFileSync(join(CONSOLE_SOURCE_DIR, 'index.html'), 'utf8')
    .replace('%SCRIPT%', main)
    .replace('%STYLES%', entry('styles', '.css'))
    .replace('%PRELOADS%', preloads);
  writeFileSync(join(outDir, 'index.html'), html);
  return { files: ['index.html', ...outputs.map((file) => relative(outDir, file))] };
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const outDir = resolve(process.argv[2] ?? DEFAULT_CONSOLE_OUT_DIR);
  const { files } = buildConsoleSync(outDir);
  console.log(`console built into ${outDir}: ${files.join(', ')}`);
}
