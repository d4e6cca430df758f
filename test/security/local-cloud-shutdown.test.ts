import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLambdaService } from '../../local/cloud/lambda-service';

// A function that answers after a short while, so the service can be stopped while it runs.
const SLOW_HANDLER = `exports.handler = async () => { await new Promise((r) => setTimeout(r, 300)); return { ok: true }; };`;

describe('the local Lambda service stopping under load', () => {
  it('ends invocations that were in flight without an unhandled error', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lambda-shutdown-'));
    const assetDir = mkdtempSync(join(tmpdir(), 'lambda-shutdown-asset-'));
    writeFileSync(join(assetDir, 'index.js'), SLOW_HANDLER);
    const service = createLambdaService({
      functions: [
        {
          logicalId: 'Slow',
          functionName: 'slow',
          arn: 'arn:aws:lambda:us-east-1:000000000000:function:slow',
          assetDir,
          handler: 'index.handler',
          runtime: 'nodejs22.x',
          environment: {},
          memorySize: 128,
          timeoutSeconds: 5,
        },
      ],
      dataDir,
    });
    const unhandled: unknown[] = [];
    const record = (error: unknown) => unhandled.push(error);
    process.on('uncaughtException', record);
    try {
      // Warm one worker, then stop the service while several invocations are queued or running.
      await service.invoke('slow', '{}');
      const inFlight = Array.from({ length: 12 }, () =>
        service.invoke('slow', '{}').catch((error: unknown) => error),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      await service.close();
      const outcomes = await Promise.all(inFlight);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(outcomes).toHaveLength(12);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('uncaughtException', record);
    }
  });
});
