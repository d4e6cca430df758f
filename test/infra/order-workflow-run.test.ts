import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorkflowDefinition } from '../../lib/workflow-definition';
import { createEngine } from '../../local/sfn/engine';
import type { StepFunctionsEngine } from '../../local/sfn/service-api';

/**
 * Runs the OrderWorkflow definition on the local Step Functions engine, with the two functions played by scripts
 * that answer the way the design contract says. Checks the paths an order takes, not the functions themselves.
 */

type Payload = Record<string, unknown>;
type Script = (payload: Payload) => unknown;

/** Thrown by a script to make the fake Lambda answer a function error with this name. */
class ScriptedFunctionError extends Error {
  constructor(name: string) {
    super(`${name} (scripted)`);
    this.name = name;
  }
}

interface Call {
  readonly fn: 'deliver' | 'step';
  readonly payload: Payload;
}

const region = 'ap-southeast-3';
const accountId = '123456789012';
const deliverArn = `arn:aws:lambda:${region}:${accountId}:function:DeliverWebhookFunction`;
const stepArn = `arn:aws:lambda:${region}:${accountId}:function:WorkflowStepFunction`;

let server: Server;
let engine: StepFunctionsEngine;
let stateMachineArn = '';
const scripts = new Map<string, { deliver: Script; step: Script; calls: Call[] }>();

function orderIdOf(payload: Payload): string {
  return String(payload.orderId);
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Payload;
      const fn = (request.url ?? '').includes('DeliverWebhookFunction') ? 'deliver' : 'step';
      const script = scripts.get(orderIdOf(payload));
      if (!script) {
        response.writeHead(404).end();
        return;
      }
      script.calls.push({ fn, payload });
      try {
        const result = (fn === 'deliver' ? script.deliver : script.step)(payload);
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result ?? null));
      } catch (error) {
        const { name, message } = error as Error;
        response
          .writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' })
          .end(JSON.stringify({ errorType: name, errorMessage: message }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  engine = await createEngine({
    dataPath: ':memory:',
    lambdaEndpoint: `http://127.0.0.1:${port}`,
    region,
    accountId,
  });
  const definition = buildWorkflowDefinition({ deliverWebhook: deliverArn, workflowStep: stepArn });
  const created = await engine.dispatch('CreateStateMachine', {
    name: 'Tenggat-OrderWorkflow',
    definition: JSON.stringify(definition),
    roleArn: `arn:aws:iam::${accountId}:role/OrderWorkflow`,
    type: 'STANDARD',
  });
  stateMachineArn = String(created.stateMachineArn);
});

afterAll(async () => {
  await engine?.close();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function start(orderId: string, deliver: Script, step: Script) {
  const calls: Call[] = [];
  scripts.set(orderId, { deliver, step, calls });
  const started = await engine.dispatch('StartExecution', {
    stateMachineArn,
    name: orderId,
    input: JSON.stringify({ orderId }),
  });
  return { calls, executionArn: String(started.executionArn) };
}

async function finished(executionArn: string): Promise<string> {
  const started = Date.now();
  for (;;) {
    const described = await engine.dispatch('DescribeExecution', { executionArn });
    if (described.status !== 'RUNNING') return String(described.status);
    if (Date.now() - started > 15_000) throw new Error('execution still running');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function tokenFor(calls: Call[], purpose: string, nth = 0): Promise<string> {
  return until(() => {
    const waits = calls.filter(
      (call) => call.payload.action === 'registerWait' && call.payload.purpose === purpose,
    );
    const token = waits[nth]?.payload.taskToken;
    return typeof token === 'string' ? token : undefined;
  }, `registerWait ${purpose} #${nth}`);
}

const describeCall = (call: Call): string =>
  call.fn === 'deliver'
    ? `deliver ${String(call.payload.event)}#${String(call.payload.attempt)}`
    : `${String(call.payload.action)}${call.payload.purpose ? `:${String(call.payload.purpose)}` : ''}`;

const delivered = { delivered: true, retryInSeconds: null, cancelled: false };
const evaluation = (overrides: Payload) => ({
  version: 1,
  status: 'awaiting_platform',
  stage: 'order',
  done: false,
  pending: 1,
  disputed: 0,
  deadlinePassed: false,
  waitSeconds: 3_600,
  reviewReminder: false,
  ...overrides,
});

describe('OrderWorkflow on the local Step Functions engine', () => {
  it('notifies, waits for answers, and finalizes when the platform has answered every item', async () => {
    let evaluations = 0;
    const { calls, executionArn } = await start(
      'order-answered',
      () => delivered,
      (payload) => {
        if (payload.action === 'evaluate') {
          evaluations += 1;
          return evaluations === 1 ? evaluation({ version: 7 }) : evaluation({ done: true, pending: 0 });
        }
        if (payload.action === 'finalize') return { status: 'complied', notify: null };
        return { registered: true };
      },
    );
    const token = await tokenFor(calls, 'answers');
    const registered = calls.find((call) => call.payload.action === 'registerWait');
    expect(registered?.payload.version).toBe(7);
    await engine.dispatch('SendTaskSuccess', { taskToken: token, output: JSON.stringify({ notify: null }) });
    expect(await finished(executionArn)).toBe('SUCCEEDED');
    expect(calls.map(describeCall)).toEqual([
      'deliver takedown.requested#0',
      'evaluate',
      'registerWait:answers',
      'evaluate',
      'finalize',
    ]);
  });

  it('escalates when the wait times out at the deadline, and finalizes after the ST3 referral', async () => {
    let evaluations = 0;
    const { calls, executionArn } = await start(
      'order-overdue',
      () => delivered,
      (payload) => {
        if (payload.action === 'evaluate') {
          evaluations += 1;
          return evaluations === 1 ? evaluation({ waitSeconds: 1 }) : evaluation({ deadlinePassed: true });
        }
        if (payload.action === 'escalate')
          return { stage: 'st3', event: 'takedown.blocking_referral', final: true };
        if (payload.action === 'finalize') return { status: 'referred_for_blocking', notify: null };
        return { registered: true };
      },
    );
    expect(await finished(executionArn)).toBe('SUCCEEDED');
    expect(calls.map(describeCall)).toEqual([
      'deliver takedown.requested#0',
      'evaluate',
      'registerWait:answers',
      'evaluate',
      'escalate',
      'deliver takedown.blocking_referral#0',
      'finalize',
    ]);
  });

  it('retries delivery on the policy schedule, parks an unreachable order, and redelivers on request', async () => {
    let deliveries = 0;
    const { calls, executionArn } = await start(
      'order-unreachable',
      (payload) => {
        deliveries += 1;
        if (deliveries === 1) return { delivered: false, retryInSeconds: 0, cancelled: false };
        if (deliveries === 2) return { delivered: false, retryInSeconds: null, cancelled: false };
        expect(payload.attempt).toBe(0);
        return delivered;
      },
      (payload) => {
        if (payload.action === 'markUndeliverable') return { status: 'undeliverable', version: 4 };
        if (payload.action === 'evaluate') return evaluation({ done: true });
        if (payload.action === 'finalize') return { status: 'complied', notify: null };
        return { registered: true };
      },
    );
    const token = await tokenFor(calls, 'redelivery');
    expect(calls.find((call) => call.payload.purpose === 'redelivery')?.payload.version).toBe(4);
    await engine.dispatch('SendTaskSuccess', { taskToken: token, output: JSON.stringify({ notify: null }) });
    expect(await finished(executionArn)).toBe('SUCCEEDED');
    expect(calls.map(describeCall)).toEqual([
      'deliver takedown.requested#0',
      'deliver takedown.requested#1',
      'markUndeliverable',
      'registerWait:redelivery',
      'deliver takedown.requested#0',
      'evaluate',
      'finalize',
    ]);
  });

  it('reads the current version for the redelivery wait when markUndeliverable does not return it', async () => {
    let deliveries = 0;
    const { calls, executionArn } = await start(
      'order-unreachable-unversioned',
      () => {
        deliveries += 1;
        return deliveries === 1 ? { delivered: false, retryInSeconds: null, cancelled: false } : delivered;
      },
      (payload) => {
        if (payload.action === 'markUndeliverable') return { status: 'undeliverable' };
        if (payload.action === 'evaluate')
          return evaluation({ version: 9, done: true, status: 'undeliverable' });
        if (payload.action === 'finalize') return { status: 'complied', notify: null };
        return { registered: true };
      },
    );
    const token = await tokenFor(calls, 'redelivery');
    expect(calls.find((call) => call.payload.purpose === 'redelivery')?.payload.version).toBe(9);
    await engine.dispatch('SendTaskSuccess', { taskToken: token, output: JSON.stringify({ notify: null }) });
    expect(await finished(executionArn)).toBe('SUCCEEDED');
    expect(calls.map(describeCall).slice(0, 4)).toEqual([
      'deliver takedown.requested#0',
      'markUndeliverable',
      'evaluate',
      'registerWait:redelivery',
    ]);
  });

  it('evaluates again when answers arrive before the token is stored (OrderChanged)', async () => {
    let waits = 0;
    let evaluations = 0;
    const { calls, executionArn } = await start(
      'order-raced',
      () => delivered,
      (payload) => {
        if (payload.action === 'registerWait') {
          waits += 1;
          if (waits === 1) throw new ScriptedFunctionError('OrderChanged');
          return { registered: true };
        }
        if (payload.action === 'evaluate') {
          evaluations += 1;
          return evaluation({ version: evaluations });
        }
        return { status: 'complied', notify: null };
      },
    );
    const token = await tokenFor(calls, 'answers', 1);
    expect(
      calls.filter((call) => call.payload.action === 'registerWait').map((call) => call.payload.version),
    ).toEqual([1, 2]);
    await engine.dispatch('StopExecution', { executionArn });
    expect(token.length).toBeGreaterThan(0);
  });

  it('delivers the event the waking handler asks for, and the withdrawal notice after finalizing', async () => {
    let evaluations = 0;
    const { calls, executionArn } = await start(
      'order-withdrawn',
      () => delivered,
      (payload) => {
        if (payload.action === 'evaluate') {
          evaluations += 1;
          return evaluations < 3 ? evaluation({}) : evaluation({ done: true, status: 'withdrawn' });
        }
        if (payload.action === 'finalize') return { status: 'withdrawn', notify: 'takedown.withdrawn' };
        return { registered: true };
      },
    );
    await engine.dispatch('SendTaskSuccess', {
      taskToken: await tokenFor(calls, 'answers', 0),
      output: JSON.stringify({ notify: 'takedown.review_decided' }),
    });
    await engine.dispatch('SendTaskSuccess', {
      taskToken: await tokenFor(calls, 'answers', 1),
      output: JSON.stringify({ notify: null }),
    });
    expect(await finished(executionArn)).toBe('SUCCEEDED');
    expect(calls.map(describeCall)).toEqual([
      'deliver takedown.requested#0',
      'evaluate',
      'registerWait:answers',
      'deliver takedown.review_decided#0',
      'evaluate',
      'registerWait:answers',
      'evaluate',
      'finalize',
      'deliver takedown.withdrawn#0',
    ]);
  });
});
