import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../local/sfn/engine';
import { createMachine, waitForStatus, waitUntil } from './engine-test-kit';

/** An EventBridge PutEvents endpoint that keeps what it receives; `failNext` answers 500 that many times. */
class FakeEventBridge {
  readonly entries: Record<string, unknown>[] = [];
  failNext = 0;
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (this.failNext > 0) {
          this.failNext--;
          response.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
          response.end(JSON.stringify({ __type: 'InternalException', message: 'try again' }));
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          Entries: Record<string, unknown>[];
        };
        expect(request.headers['x-amz-target']).toBe('AWSEvents.PutEvents');
        this.entries.push(...body.Entries);
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(
          JSON.stringify({ FailedEntryCount: 0, Entries: body.Entries.map(() => ({ EventId: 'e' })) }),
        );
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  details(): Record<string, unknown>[] {
    return this.entries.map((entry) => JSON.parse(String(entry.Detail)) as Record<string, unknown>);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const bus = new FakeEventBridge();
beforeAll(() => bus.start());
afterAll(() => bus.stop());

const FAILING = { StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'Order.Broken', Cause: 'why' } } };

describe('execution status change events', () => {
  it('puts RUNNING and the end status on the default bus as AWS does, redrives included', async () => {
    const engine = await createEngine({
      dataPath: ':memory:',
      eventBridgeEndpoint: bus.url,
      accountId: '111111111111',
    });
    try {
      const machineArn = await createMachine(engine, 'Watched', FAILING);
      const { executionArn } = await engine.dispatch('StartExecution', {
        stateMachineArn: machineArn,
        name: 'order-1',
        input: '{"order":1}',
      });
      await waitForStatus(engine, String(executionArn));
      await waitUntil(() => bus.entries.length >= 2);
      expect(bus.entries[0]).toMatchObject({
        Source: 'aws.states',
        DetailType: 'Step Functions Execution Status Change',
        Resources: [executionArn],
      });
      expect(bus.entries[0]?.EventBusName).toBeUndefined();
      const [running, failed] = bus.details();
      expect(running).toEqual({
        executionArn,
        stateMachineArn: machineArn,
        name: 'order-1',
        status: 'RUNNING',
        startDate: expect.any(Number),
        stopDate: null,
        input: '{"order":1}',
        output: null,
        inputDetails: { included: true },
        outputDetails: null,
        error: null,
        cause: null,
        redriveCount: 0,
        redriveDate: null,
        redriveStatus: 'NOT_REDRIVABLE',
        redriveStatusReason: 'Execution is RUNNING and cannot be redriven',
      });
      const described = await engine.dispatch('DescribeExecution', { executionArn });
      // Epoch milliseconds on the bus, epoch seconds in the API.
      expect(running?.startDate).toBe(Math.round(Number(described.startDate) * 1000));
      expect(failed).toMatchObject({
        status: 'FAILED',
        stopDate: Math.round(Number(described.stopDate) * 1000),
        error: 'Order.Broken',
        cause: 'why',
        redriveStatus: 'REDRIVABLE',
        redriveStatusReason: null,
      });

      const { redriveDate } = await engine.dispatch('RedriveExecution', { executionArn });
      await waitForStatus(engine, String(executionArn));
      await waitUntil(() => bus.entries.length >= 4);
      const [, , redriven, failedAgain] = bus.details();
      expect(redriven).toMatchObject({
        status: 'RUNNING',
        stopDate: null,
        redriveCount: 1,
        redriveDate: Math.round(Number(redriveDate) * 1000),
      });
      expect(failedAgain).toMatchObject({ status: 'FAILED', redriveCount: 1 });
      expect(engine.statusChangeEvents().map((event) => event.detail.status)).toEqual([
        'RUNNING',
        'FAILED',
        'RUNNING',
        'FAILED',
      ]);
    } finally {
      await engine.close();
      bus.entries.splice(0);
    }
  });

  it('retries a put the bus refused, and keeps the events in memory without an endpoint', async () => {
    bus.failNext = 2;
    const engine = await createEngine({ dataPath: ':memory:', eventBridgeEndpoint: bus.url });
    const quiet = await createEngine({ dataPath: ':memory:' });
    try {
      const machineArn = await createMachine(engine, 'Retried', {
        StartAt: 'P',
        States: { P: { Type: 'Pass', End: true } },
      });
      const { executionArn } = await engine.dispatch('StartExecution', { stateMachineArn: machineArn });
      await waitForStatus(engine, String(executionArn));
      await waitUntil(() => bus.entries.length >= 2);
      expect(bus.details().map((detail) => detail.status)).toEqual(['RUNNING', 'SUCCEEDED']);
      expect(bus.details()[1]).toMatchObject({ output: '{}', outputDetails: { included: true } });

      const quietArn = await createMachine(quiet, 'Quiet', FAILING);
      const started = await quiet.dispatch('StartExecution', { stateMachineArn: quietArn });
      await waitForStatus(quiet, String(started.executionArn));
      expect(quiet.statusChangeEvents().map((event) => [event.detail.status, event.resources])).toEqual([
        ['RUNNING', [started.executionArn]],
        ['FAILED', [started.executionArn]],
      ]);
    } finally {
      await engine.close();
      await quiet.close();
      bus.entries.splice(0);
    }
  });

  it('never fails or delays an execution when the bus is unreachable, and skips Express executions', async () => {
    const engine = await createEngine({ dataPath: ':memory:', eventBridgeEndpoint: 'http://127.0.0.1:9' });
    try {
      const machineArn = await createMachine(engine, 'Unheard', {
        StartAt: 'P',
        States: { P: { Type: 'Pass', End: true } },
      });
      const { executionArn } = await engine.dispatch('StartExecution', { stateMachineArn: machineArn });
      expect((await waitForStatus(engine, String(executionArn), undefined, 2_000)).status).toBe('SUCCEEDED');
      const express = await createMachine(
        engine,
        'Fast',
        { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
        'EXPRESS',
      );
      const quick = await engine.dispatch('StartExecution', { stateMachineArn: express });
      await waitForStatus(engine, String(quick.executionArn));
      expect(engine.statusChangeEvents().map((event) => event.detail.executionArn)).toEqual([
        executionArn,
        executionArn,
      ]);
    } finally {
      await engine.close();
    }
  });
});
