import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLambdaService } from '../../local/cloud/lambda-service';

// A function loads what Lambda's Node runtime would give it: built-ins, its own node_modules and the runtime's AWS SDK
// (`@aws-sdk/*`), not the other packages of the project it happens to sit in (local/cloud/runtime-modules.cjs).
const HANDLER = `
const loads = (name) => {
  try {
    require(name);
    return 'loaded';
  } catch (error) {
    return error.code;
  }
};
exports.handler = async () => ({
  sdk: loads('@aws-sdk/client-dynamodb'),
  documentClient: loads('@aws-sdk/lib-dynamodb'),
  builtin: loads('node:zlib'),
  own: loads('own-package'),
  projectPackage: loads('zod'),
  smithy: loads('@smithy/core'),
});
`;

describe('the module path of a local function', () => {
  // Inside the project, as .tenggat/cdk.out is: walking up from here would reach the project's node_modules.
  const cache = join(process.cwd(), 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const assetDir = mkdtempSync(join(cache, 'tenggat-module-path-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'lambda-module-path-'));
  writeFileSync(join(assetDir, 'index.js'), HANDLER);
  mkdirSync(join(assetDir, 'node_modules', 'own-package'), { recursive: true });
  writeFileSync(join(assetDir, 'node_modules', 'own-package', 'index.js'), 'module.exports = 1;');
  const service = createLambdaService({
    functions: [
      {
        logicalId: 'Modules',
        functionName: 'modules',
        arn: 'arn:aws:lambda:us-east-1:000000000000:function:modules',
        assetDir,
        handler: 'index.handler',
        runtime: 'nodejs22.x',
        environment: {},
        memorySize: 128,
        // Loading the SDK from a cold disk on 2 busy cores (a fresh clone, other files running) can take seconds;
        // this test is about what resolves, not how fast.
        timeoutSeconds: 50,
      },
    ],
    dataDir,
  });
  afterAll(async () => {
    await service.close();
    rmSync(assetDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("finds the runtime's AWS SDK and its own packages, and none of the project's others", async () => {
    expect(existsSync(join(process.cwd(), 'node_modules', 'zod'))).toBe(true);
    const result = await service.invoke('modules', '{}');
    expect(result.functionError, result.payload.toString('utf8')).toBeUndefined();
    expect(JSON.parse(result.payload.toString('utf8'))).toEqual({
      sdk: 'loaded',
      documentClient: 'loaded',
      builtin: 'loaded',
      own: 'loaded',
      projectPackage: 'MODULE_NOT_FOUND',
      smithy: 'MODULE_NOT_FOUND',
    });
  }, 60_000);
});
