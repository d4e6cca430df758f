/**
 * One local cloud per vitest run for every e2e test file: `fast` policy, ephemeral ports, a temp data dir.
 * Started and stopped by the test run itself; the tests reach it through HTTP only (see `harness.ts`).
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalCloud } from '../../local/cloud/main';
import type { E2eCloud } from './harness';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = mkdtempSync(join(tmpdir(), 'tenggat-e2e-'));
  const progressLogPath = join(root, 'progress.log');
  const cloud = await startLocalCloud({
    projectDir: process.cwd(),
    dataDir: join(root, 'data'),
    cdkOutDir: join(root, 'cdk.out'),
    ports: { api: 0, aws: 0, dynamodb: 0, sandbox: 0 },
    policy: 'fast',
    sandbox: { behaviour: 'comply', delaySeconds: 1 },
    log: (line) => appendFileSync(progressLogPath, `${line}\n`),
  });
  const provided: E2eCloud = {
    apiUrl: cloud.apiUrl,
    tokenUrl: cloud.tokenUrl,
    awsEndpoint: cloud.awsEndpoint,
    dynamodbEndpoint: cloud.dynamodbEndpoint,
    clients: cloud.clients,
    platforms: cloud.platforms,
    progressLogPath,
  };
  project.provide('tenggatCloud', provided);
  return async () => {
    await cloud.stop();
    if (!process.env.TENGGAT_E2E_KEEP) rmSync(root, { recursive: true, force: true });
  };
}
