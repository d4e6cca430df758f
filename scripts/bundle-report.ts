import { isBuiltin } from 'node:module';
import { bundleBudget, FUNCTION_IDS, type FunctionId } from '../lib/functions';
import {
  type BundlePart,
  buildFunctionBundle,
  bundleParts,
  externalPackagesIn,
  type PartGroup,
} from './function-bundles';

// npm run bundles [-- <FunctionId>]: each function's bundle against its budget and what each part of it costs
// (built with the same esbuild options as `cdk synth`, in memory); with a function id, its packages one by one.

const kb = (bytes: number): string => (bytes / 1000).toFixed(1);
const GROUPS: readonly PartGroup[] = [
  'aws-sdk',
  'x-ray',
  'zod',
  'powertools',
  'own',
  'standardwebhooks',
  'middy',
  'other',
];

function sum(parts: readonly BundlePart[], pick: (part: BundlePart) => number): number {
  return parts.reduce((total, part) => total + pick(part), 0);
}

async function summary(): Promise<void> {
  const rows = [];
  for (const functionId of FUNCTION_IDS) {
    const bundle = await buildFunctionBundle(functionId);
    const parts = bundleParts(bundle.metafile);
    const row: Record<string, string> = {
      function: functionId,
      'index.js KB': kb(bundle.code.byteLength),
      'budget KB': kb(bundleBudget(functionId)),
      'map KB': kb(bundle.sourceMap.byteLength),
    };
    for (const group of GROUPS)
      row[group] = kb(
        sum(
          parts.filter((part) => part.group === group),
          (part) => part.bytes,
        ),
      );
    row['lazy SDK'] = kb(
      sum(
        parts.filter((part) => part.group === 'aws-sdk'),
        (part) => part.lazyBytes,
      ),
    );
    rows.push(row);
  }
  console.table(rows);
  console.log(
    'Parts in KB of minified output (esbuild metafile, bytesInOutput). The @aws-sdk/* packages are the Lambda',
  );
  console.log(
    "runtime's (not bundled); aws-sdk is what of the SDK's family is still bundled, lazy SDK the part of it only",
  );
  console.log('reachable through a dynamic import().');
}

async function detail(functionId: FunctionId): Promise<void> {
  const bundle = await buildFunctionBundle(functionId);
  const parts = bundleParts(bundle.metafile);
  console.log(
    `${functionId}: index.js ${kb(bundle.code.byteLength)} KB, budget ${kb(bundleBudget(functionId))} KB`,
  );
  const provided = externalPackagesIn(bundle.metafile).filter((name) => !isBuiltin(name));
  console.log(`from the runtime (not bundled): ${provided.join(', ')}`);
  console.table(
    parts.map((part) => ({
      part: part.name,
      group: part.group,
      KB: kb(part.bytes),
      'lazy KB': kb(part.lazyBytes),
    })),
  );
}

const wanted = process.argv[2];
if (wanted === undefined) await summary();
else if ((FUNCTION_IDS as readonly string[]).includes(wanted)) await detail(wanted as FunctionId);
else {
  console.error(`unknown function ${wanted}; one of ${FUNCTION_IDS.join(', ')}`);
  process.exitCode = 1;
}
