import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaService, functionNameOf, type LambdaService } from '../../local/cloud/lambda-service';
import type { FunctionSpec } from '../../local/cloud/template';
import { FIXTURE_HANDLER } from './fixture-stack';

const decode = (payload: Uint8Array | undefined) => JSON.parse(Buffer.from(payload ?? []).toString('utf8'));

describe('Lambda service', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lambda-service-'));
  const assetDir = mkdtempSync(join(tmpdir(), 'lambda-asset-'));
  writeFileSync(join(assetDir, 'index.js'), FIXTURE_HANDLER);
  const spec = (functionName: string, overrides: Partial<FunctionSpec> = {}): FunctionSpec => ({
    logicalId: functionName,
    functionName,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    assetDir,
    handler: 'index.handler',
    runtime: 'nodejs22.x',
    environment: { TABLE_NAME: `${functionName}-table` },
    memorySize: 128,
    timeoutSeconds: 1,
    ...overrides,
  });
  let service: LambdaService;
  let server: Server;
  let client: LambdaClient;

  beforeAll(async () => {
    service = createLambdaService({
      functions: [spec('echo'), spec('other', { environment: { TABLE_NAME: 'other-table' } })],
      dataDir,
      extraEnvironment: { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' },
      maxProcessesPerFunction: 2,
    });
    server = createServer((request, response) => {
      service.handle(request, response).then((handled) => {
        if (!handled) response.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new LambdaClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
  });

  afterAll(async () => {
    client?.destroy();
    await service?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('runs the bundled handler with its own environment and a Lambda context, by name or ARN', async () => {
    const byName = await client.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: JSON.stringify({ a: 1 }) }),
    );
    const result = decode(byName.Payload);
    expect(result.echo).toEqual({ a: 1 });
    expect(result.functionName).toBe('echo');
    expect(result.table).toBe('echo-table');
    expect(result.endpoint).toBe('http://127.0.0.1:9');
    expect(result.remaining).toBeGreaterThan(0);
    expect(result.remaining).toBeLessThanOrEqual(1000);
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const byArn = await client.send(
      new InvokeCommand({
        FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:other',
        Payload: '{}',
      }),
    );
    expect(decode(byArn.Payload).table).toBe('other-table');
  });

  it('reuses a warm process between invocations', async () => {
    const first = decode(
      (await client.send(new InvokeCommand({ FunctionName: 'echo', Payload: '{}' }))).Payload,
    );
    const second = decode(
      (await client.send(new InvokeCommand({ FunctionName: 'echo', Payload: '{}' }))).Payload,
    );
    expect(second.pid).toBe(first.pid);
  });

  it('runs concurrent invocations in separate processes', async () => {
    const results = await Promise.all(
      [1, 2].map(() =>
        service.invoke('echo', JSON.stringify({ sleepMs: 200 })).then((r) => decode(r.payload)),
      ),
    );
    expect(new Set(results.map((r) => r.pid)).size).toBe(2);
  });

  it('reports a thrown error in Lambda format', async () => {
    const response = await client.send(new InvokeCommand({ FunctionName: 'echo', Payload: '{"fail":true}' }));
    expect(response.FunctionError).toBe('Unhandled');
    const error = decode(response.Payload);
    expect(error.errorType).toBe('TypeError');
    expect(error.errorMessage).toBe('asked to fail');
    expect(Array.isArray(error.trace)).toBe(true);
  });

  it('kills a function past its timeout with the Task timed out error, and still serves the next call', async () => {
    const response = await client.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: '{"sleepMs":3000}' }),
    );
    expect(response.FunctionError).toBe('Unhandled');
    expect(decode(response.Payload).errorMessage).toMatch(/Task timed out after 1\.00 seconds/);
    const next = await client.send(new InvokeCommand({ FunctionName: 'echo', Payload: '{"ok":1}' }));
    expect(decode(next.Payload).echo).toEqual({ ok: 1 });
  });

  it('refuses requests over 6 MB and reports responses over 6 MB', async () => {
    const big = JSON.stringify({ x: 'y'.repeat(6 * 1024 * 1024) });
    await expect(
      client.send(new InvokeCommand({ FunctionName: 'echo', Payload: big })),
    ).rejects.toMatchObject({
      name: 'RequestEntityTooLargeException',
      $metadata: { httpStatusCode: 413 },
    });
    const response = await client.send(
      new InvokeCommand({
        FunctionName: 'echo',
        Payload: JSON.stringify({ bigResponseBytes: 6 * 1024 * 1024 }),
      }),
    );
    expect(response.FunctionError).toBe('Unhandled');
    expect(decode(response.Payload).errorType).toBe('Function.ResponseSizeTooLarge');
  });

  it('answers 404 ResourceNotFoundException for an unknown function', async () => {
    await expect(
      client.send(new InvokeCommand({ FunctionName: 'nope', Payload: '{}' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('accepts an Event invocation with 202 and runs it in the background, logging to a file', async () => {
    const response = await client.send(
      new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: '{"log":"from-async"}' }),
    );
    expect(response.StatusCode).toBe(202);
    await expect.poll(() => service.logTail('echo').some((line) => line.includes('from-async'))).toBe(true);
    const file = readFileSync(join(dataDir, 'logs', 'echo.log'), 'utf8');
    expect(file).toMatch(/INFO\tlog line from-async/);
  });

  it('parses function names from ARNs and qualifiers', () => {
    expect(functionNameOf('arn:aws:lambda:us-east-1:000000000000:function:f:prod')).toBe('f');
    expect(functionNameOf('000000000000:function:g')).toBe('g');
    expect(functionNameOf('h:1')).toBe('h');
  });
});

describe('Lambda service: faults and asynchronous retries', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lambda-faults-'));
  const assetDir = mkdtempSync(join(tmpdir(), 'lambda-faults-asset-'));
  writeFileSync(join(assetDir, 'index.js'), FIXTURE_HANDLER);
  const recordFile = join(dataDir, 'recorded.jsonl');
  const spec = (functionName: string, overrides: Partial<FunctionSpec> = {}): FunctionSpec => ({
    logicalId: `${functionName}Logical`,
    functionName,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    assetDir,
    handler: 'index.handler',
    runtime: 'nodejs20.x',
    environment: { RECORD_FILE: recordFile },
    memorySize: 128,
    timeoutSeconds: 3,
    ...overrides,
  });
  let service: LambdaService;
  const recorded = () =>
    (existsSync(recordFile) ? readFileSync(recordFile, 'utf8').trim().split('\n').filter(Boolean) : []).map(
      (line) => JSON.parse(line) as { fn: string },
    );

  beforeAll(() => {
    service = createLambdaService({
      functions: [spec('retried'), spec('once', { maximumRetryAttempts: 0 })],
      dataDir,
      asyncRetryDelaysMillis: [50, 50],
    });
  });
  afterAll(async () => {
    await service?.close();
  });

  it('retries a failed asynchronous invocation twice, as Lambda does, so two faults are absorbed', async () => {
    expect(service.resolveFunctionName('retriedLogical')).toBe('retried');
    service.faults.set('retried', 2);
    const accepted = await service.invoke('retried', '{"n":1}', { invocationType: 'Event' });
    expect(accepted.statusCode).toBe(202);
    const deadline = Date.now() + 5_000;
    while (!recorded().some((line) => line.fn === 'retried') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(recorded().filter((line) => line.fn === 'retried')).toHaveLength(1);
    const tail = service.logTail('retried').join('\n');
    expect(tail).toContain('Error: Injected fault 1 of 2 (PUT /_local/faults)');
    expect(tail).toContain('retry 2 of 2 in 50 ms');
    expect(service.faults.list()).toEqual([]);
  });

  it('does not retry when EventInvokeConfig says 0 attempts', async () => {
    service.faults.set('once', 1);
    await service.invoke('once', '{}', { invocationType: 'Event' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(recorded().filter((line) => line.fn === 'once')).toHaveLength(0);
    expect(service.logTail('once').join('\n')).not.toContain('retry');
  });
});
