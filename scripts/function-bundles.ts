import { join } from 'node:path';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { BUNDLE_ALIASES, FUNCTION_BUNDLING, type FunctionId, handlerEntry } from '../lib/functions';

/**
 * The esbuild options `NodejsFunction` runs for a function with `FUNCTION_BUNDLING` (the flags of its local bundling
 * command; `test/infra/synth-offline.test.ts` checks that both produce the same `index.js`).
 */
export function esbuildOptionsFor(functionId: FunctionId, projectDir = process.cwd()): BuildOptions {
  return {
    absWorkingDir: projectDir,
    entryPoints: [join(projectDir, 'functions', 'src', 'handlers', handlerEntry(functionId))],
    bundle: true,
    platform: 'node',
    target: FUNCTION_BUNDLING.target,
    format: FUNCTION_BUNDLING.format,
    mainFields: [...FUNCTION_BUNDLING.mainFields],
    minify: FUNCTION_BUNDLING.minify,
    keepNames: FUNCTION_BUNDLING.keepNames,
    sourcemap: FUNCTION_BUNDLING.sourceMap,
    sourcesContent: FUNCTION_BUNDLING.sourcesContent,
    banner: { js: FUNCTION_BUNDLING.banner },
    define: { ...FUNCTION_BUNDLING.define },
    external: [...FUNCTION_BUNDLING.externalModules],
    alias: { ...BUNDLE_ALIASES },
    outfile: join(projectDir, 'cdk.out', 'bundles', functionId, 'index.js'),
    metafile: true,
    write: false,
    logLevel: 'error',
  };
}

export interface FunctionBundle {
  functionId: FunctionId;
  /** The minified `index.js` and its source map. */
  code: Uint8Array;
  sourceMap: Uint8Array;
  metafile: Metafile;
}

/** Builds a function's bundle in memory, as `cdk synth` would write it. */
export async function buildFunctionBundle(
  functionId: FunctionId,
  projectDir?: string,
): Promise<FunctionBundle> {
  const result = await build(esbuildOptionsFor(functionId, projectDir));
  const code = result.outputFiles?.find((file) => file.path.endsWith('index.js'));
  const map = result.outputFiles?.find((file) => file.path.endsWith('index.js.map'));
  if (code === undefined || map === undefined || result.metafile === undefined) {
    throw new BundleBuildError(`${functionId}: esbuild wrote no bundle`);
  }
  return { functionId, code: code.contents, sourceMap: map.contents, metafile: result.metafile };
}

export class BundleBuildError extends Error {
  override name = 'BundleBuildError';
}

/** What a part of a bundle is, for the report: who brings the code in. */
export type PartGroup =
  | 'aws-sdk'
  | 'x-ray'
  | 'powertools'
  | 'zod'
  | 'middy'
  | 'standardwebhooks'
  | 'own'
  | 'other';

const GROUPS: readonly [RegExp, PartGroup][] = [
  [
    /^@aws-sdk\/|^@smithy\/|^@aws-crypto\/|^@aws\/lambda-invoke-store$|^mnemonist$|^obliterator$|^fast-xml-parser$|^strnum$|^bowser$|^tslib$/,
    'aws-sdk',
  ],
  [
    /^aws-xray-sdk-core$|^cls-hooked$|^emitter-listener$|^semver$|^shimmer$|^atomic-batcher$|^async-hook-jl$|^stack-chain$/,
    'x-ray',
  ],
  [/^@aws-lambda-powertools\//, 'powertools'],
  [/^zod$/, 'zod'],
  [/^@middy\//, 'middy'],
  [/^standardwebhooks$|^@stablelib\/base64$|^fast-sha256$/, 'standardwebhooks'],
];

/** The npm package an input of the metafile belongs to, or null for the project's own files. */
export function packageOf(inputPath: string): string | null {
  const matches = inputPath.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/g);
  const last = matches?.at(-1);
  return last === undefined ? null : last.replace('node_modules/', '');
}

export function groupOf(inputPath: string): PartGroup {
  const name = packageOf(inputPath);
  if (name === null) return inputPath.startsWith('functions/') ? 'own' : 'other';
  return GROUPS.find(([pattern]) => pattern.test(name))?.[1] ?? 'other';
}

export interface BundlePart {
  /** A package name, or `functions/src` for the project's own code. */
  name: string;
  group: PartGroup;
  /** Bytes of minified output. */
  bytes: number;
  /** Bytes only reachable through a dynamic `import()` (loaded on first use, if ever: e.g. SSO credentials). */
  lazyBytes: number;
}

/** The inputs reachable from the entry point without going through a dynamic `import()`. */
function eagerInputs(metafile: Metafile, entryPoint: string): Set<string> {
  const eager = new Set<string>();
  const pending = [entryPoint];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (eager.has(next)) continue;
    eager.add(next);
    for (const edge of metafile.inputs[next]?.imports ?? []) {
      if (edge.kind !== 'dynamic-import' && !edge.external) pending.push(edge.path);
    }
  }
  return eager;
}

/** What each package costs in the bundle, largest first. */
export function bundleParts(metafile: Metafile): BundlePart[] {
  const output = Object.values(metafile.outputs).find((entry) => entry.entryPoint !== undefined);
  if (output?.entryPoint === undefined) throw new BundleBuildError('the metafile names no entry point');
  const eager = eagerInputs(metafile, output.entryPoint);
  const parts = new Map<string, BundlePart>();
  for (const [path, input] of Object.entries(output.inputs)) {
    const name = packageOf(path) ?? (path.startsWith('functions/') ? 'functions/src' : path);
    const part = parts.get(name) ?? { name, group: groupOf(path), bytes: 0, lazyBytes: 0 };
    part.bytes += input.bytesInOutput;
    if (!eager.has(path)) part.lazyBytes += input.bytesInOutput;
    parts.set(name, part);
  }
  return [...parts.values()].sort((left, right) => right.bytes - left.bytes);
}

/** The package an import path names (`@aws-sdk/client-s3/dist-cjs/x` → `@aws-sdk/client-s3`). */
const packageOfImport = (path: string): string =>
  path
    .split('/')
    .slice(0, path.startsWith('@') ? 2 : 1)
    .join('/');

/**
 * The packages a bundle leaves to its environment: the runtime's AWS SDK (`@aws-sdk/*`) and Node's built-ins
 * (`node:` or bare), as the metafile lists them (external imports of its inputs).
 */
export function externalPackagesIn(metafile: Metafile): string[] {
  const external = new Set<string>();
  for (const input of Object.values(metafile.inputs)) {
    for (const edge of input.imports) if (edge.external) external.add(packageOfImport(edge.path));
  }
  return [...external].sort();
}

/**
 * The `@aws-sdk/client-<service>` packages a bundle uses: bundled (an input under node_modules) or imported from
 * the runtime's SDK (an external import).
 */
export function sdkClientsIn(metafile: Metafile): string[] {
  const names = [
    ...Object.keys(metafile.inputs).map((path) => packageOf(path)),
    ...externalPackagesIn(metafile),
  ];
  return [
    ...new Set(names.filter((name) => name?.startsWith('@aws-sdk/client-') === true)),
  ].sort() as string[];
}
