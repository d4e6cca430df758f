/**
 * The local clouds of a vitest run, shared by every e2e test file: ephemeral ports, temp data dirs, started and
 * stopped by the test run itself; the tests reach them through HTTP only (see `harness.ts`). The main one runs the
 * `fast` policy; a second one runs `fast-points` (SAMAN's points fine, chosen per deployment), started at the same
 * time so that it costs the run little.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type LocalCloud, startLocalCloud } from '../../local/cloud/main';
import type { E2eCloud } from './harness';

async function startE2eCloud(policy: string, sandbox: boolean) {
  const root = mkdtempSync(join(tmpdir(), `tenggat-e2e-${policy}-`));
  const progressLogPath = join(root, 'progress.log');
  const cloud: LocalCloud = await startLocalCloud({
    projectDir: process.cwd(),
    dataDir: join(root, 'data'),
    cdkOutDir: join(root, 'cdk.out'),
    ports: { api: 0, aws: 0, dynamodb: 0, sandbox: 0 },
    policy,
    sandbox: sandbox ? { behaviour: 'comply', delaySeconds: 1 } : false,
    log: (line) => appendFileSync(progressLogPath, `${line}\n`),
  });
  const provided: E2eCloud = {
    apiUrl: cloud.apiUrl,
    consoleUrl: cloud.consoleUrl,
    tokenUrl: cloud.tokenUrl,
    awsEndpoint: cloud.awsEndpoint,
    dynamodbEndpoint: cloud.dynamodbEndpoint,
    clients: cloud.clients,
    platforms: cloud.platforms,
    progressLogPath,
    localJsonPath: cloud.localJsonPath,
  };
  const stop = async () => {
    await cloud.stop();
    if (!process.env.TENGGAT_E2E_KEEP) rmSync(root, { recursive: true, force: true });
  };
  return { provided, stop };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = await Promise.allSettled([
    startE2eCloud('fast', true),
    startE2eCloud('fast-points', false),
  ]);
  const clouds = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(clouds.map((cloud) => cloud.stop()));
    throw failed.reason;
  }
  const [main, points] = clouds;
  if (main === undefined || points === undefined) throw new Error('the e2e clouds did not start');
  project.provide('tenggatCloud', main.provided);
  project.provide('tenggatPointsCloud', points.provided);
  return async () => {
    await Promise.all([main.stop(), points.stop()]);
  };
}
