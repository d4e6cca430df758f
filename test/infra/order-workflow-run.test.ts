import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorkflowDefinition } from '../../lib/workflow-definition';
import { createEngine } from '../../local/sfn/engine';
import type { StepFunctionsEngine } from '../../local/sfn/service-api';

/**
 * Runs the OrderWorkflow definition on the local Step Functions engine, with the three functions played by scripts
 * that answer the way the design contract says. Checks the paths an order takes, not the functions themselves:
 * the script of `evaluate` decides every next step.
 */

type Payload = Record<string, unknown>;
type Script = (payload: Payload) => unknown;
type FunctionKey = 'deliver' | 'email' | 'step';

/** Thrown by a script to make the fake Lambda answer a function error with this name. */
class ScriptedFunctionError extends Error {
  constructor(name: string) {
    super(`${name} (scripted)`);
    this.name = name;
  }
}

interface Call {
  readonly fn: FunctionKey;
  readonly payload: Payload;
  readonly atMs: number;
}

type Scripts = Partial<Record<FunctionKey, Script>>;

const region = 'ap-southeast-3';
const accountId = '123456789012';
const functionArn = (name: string) => `arn:aws:lambda:${region}:${accountId}:function:${name}`;
const functionKeys: Record<string, FunctionKey> = {
  DeliverWebhookFunction: 'deliver',
  EmailNoticeFunction: 'email',
  WorkflowStepFunction: 'step',
};

let server: Server;
let engine: StepFunctionsEngine;
let stateMachineArn = '';
const orders = new Map<string, { scripts: Scripts; calls: Call[] }>();

function respond(fn: FunctionKey, payload: Payload): { status: number; body: unknown; failed: boolean } {
  const order = orders.get(String(payload.orderId));
  if (!order) return { status: 404, body: null, failed: false };
  order.calls.push({ fn, payload, atMs: Date.now() });
  try {
    const script = order.scripts[fn];
    if (!script) throw new ScriptedFunctionError(`Unexpected${fn}Call`);
    return { status: 200, body: script(payload) ?? null, failed: false };
  } catch (error) {
    const { name, message } = error as Error;
    return { status: 200, body: { errorType: name, errorMessage: message }, failed: true };
  }
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const name = /\/functions\/([^/]+)\/invocations/.exec(request.url ?? '')?.[1] ?? '';
      const fn = functionKeys[decodeURIComponent(name)];
      const payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Payload;
      const { status, body, failed } = fn ? respond(fn, payload) : { status: 404, body: null, failed: false };
      response
        .writeHead(status, {
          'content-type': 'application/json',
          ...(failed ? { 'x-amz-function-error': 'Unhandled' } : {}),
        })
        .end(JSON.stringify(body));
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
  const definition = buildWorkflowDefinition({
    deliverWebhook: functionArn('DeliverWebhookFunction'),
    emailNotice: functionArn('EmailNoticeFunction'),
    workflowStep: functionArn('WorkflowStepFunction'),
  });
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

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function start(orderId: string, scripts: Scripts) {
  const calls: Call[] = [];
  orders.set(orderId, { scripts, calls });
  const started = await engine.dispatch('StartExecution', {
    stateMachineArn,
    name: orderId,
    input: JSON.stringify({ orderId }),
  });
  return { calls, executionArn: String(started.executionArn) };
}

function finished(executionArn: string): Promise<string> {
  return until(async () => {
    const described = await engine.dispatch('DescribeExecution', { executionArn });
    return described.status === 'RUNNING' ? undefined : String(described.status);
  }, `${executionArn} to end`);
}

type HistoryEvent = Record<string, unknown> & { type: string };

async function history(executionArn: string): Promise<HistoryEvent[]> {
  const page = await engine.dispatch('GetExecutionHistory', { executionArn, maxResults: 1000 });
  expect(page.nextToken).toBeUndefined();
  return page.events as HistoryEvent[];
}

const enteredStates = (events: HistoryEvent[]): string[] =>
  events
    .filter((event) => event.type.endsWith('StateEntered'))
    .map((event) => String((event.stateEnteredEventDetails as Payload).name));

const countOf = (events: HistoryEvent[], type: string) =>
  events.filter((event) => event.type === type).length;

function tokenFor(calls: Call[], nth = 0): Promise<string> {
  return until(() => {
    const token = calls.filter((call) => call.payload.action === 'registerWait')[nth]?.payload.taskToken;
    return typeof token === 'string' ? token : undefined;
  }, `registerWait #${nth}`);
}

const describeCall = (call: Call): string =>
  call.fn === 'step' ? String(call.payload.action) : `${call.fn} ${String(call.payload.noticeId)}`;

type Evaluation = {
  next: string;
  noticeId: string | null;
  waitSeconds: number;
  version: number;
  evaluatedAt: string;
};
type Planned = Pick<Evaluation, 'next'> & Partial<Omit<Evaluation, 'next' | 'evaluatedAt'>>;

/**
 * The workflow-step function: `evaluate` answers the planned steps in order (each with the next version), the
 * other actions answer as the contract says unless a script is given. Answers are kept for the assertions.
 */
function workflowStep(planned: Planned[], actions: Partial<Record<string, Script>> = {}) {
  const answers: Evaluation[] = [];
  const script: Script = (payload) => {
    const action = String(payload.action);
    const custom = actions[action];
    if (custom) return custom(payload);
    if (action === 'evaluate') {
      const plan = planned[answers.length];
      if (!plan) throw new ScriptedFunctionError('NoMorePlannedSteps');
      const answer: Evaluation = {
        noticeId: null,
        waitSeconds: 0,
        version: answers.length + 1,
        ...plan,
        evaluatedAt: new Date().toISOString(),
      };
      answers.push(answer);
      return answer;
    }
    if (action === 'registerWait') return { registered: true };
    if (action === 'escalate') return { stage: 'st1', event: 'takedown.reminder', final: false };
    if (action === 'finalize') return { status: 'complied', noticeId: null };
    if (action === 'warn') {
      const warning = { stage: 'order', deadlineAt: '2030-01-02T04:00:00.000Z', fraction: 0.5, openItems: 2 };
      return { warned: true, warning, noticeId: '000002' };
    }
    throw new ScriptedFunctionError('UnknownAction');
  };
  return { script, answers };
}

const webhookFails: Script = (payload) => ({ outcome: 'failed', noticeId: payload.noticeId });
const webhookDelivers: Script = (payload) => ({ outcome: 'delivered', noticeId: payload.noticeId });

describe('OrderWorkflow on the local Step Functions engine', () => {
  it('serves the order by webhook, waits until a handler wakes it, finalizes and stops', async () => {
    const step = workflowStep([
      { next: 'deliver', noticeId: '000001' },
      { next: 'wait', waitSeconds: 3_600 },
      { next: 'finalize' },
      { next: 'done' },
    ]);
    const { calls, executionArn } = await start('order-answered', {
      deliver: webhookDelivers,
      step: step.script,
    });
    const token = await tokenFor(calls);
    // The wait carries what the evaluate before it read (not the first one's version).
    expect(calls.find((call) => call.payload.action === 'registerWait')?.payload).toEqual({
      action: 'registerWait',
      orderId: 'order-answered',
      taskToken: token,
      version: 2,
      evaluatedAt: step.answers[1]?.evaluatedAt,
    });
    await engine.dispatch('SendTaskSuccess', { taskToken: token, output: JSON.stringify({ woken: true }) });
    expect(await finished(executionArn)).toBe('SUCCEEDED');
    expect(calls.map(describeCall)).toEqual([
      'evaluate',
      'deliver 000001',
      'evaluate',
      'registerWait',
      'evaluate',
      'finalize',
      'evaluate',
    ]);
    expect(calls.find((call) => call.fn === 'deliver')?.payload).toEqual({
      orderId: 'order-answered',
      noticeId: '000001',
    });
    expect(calls.find((call) => call.payload.action === 'finalize')?.payload).toEqual({
      orderId: 'order-answered',
      action: 'finalize',
    });
    const events = await history(executionArn);
    expect(countOf(events, 'TaskTimedOut')).toBe(0);
    expect(enteredStates(events).at(-1)).toBe('Done');
  });

  it('keeps attempting the webhook until the email step serves the notice', async () => {
    const step = workflowStep([
      { next: 'deliver', noticeId: '000001' },
      { next: 'wait', waitSeconds: 0.2 },
      { next: 'deliver', noticeId: '000001' },
      { next: 'email', noticeId: '000001' },
      { next: 'finalize' },
      { next: 'done' },
    ]);
    const { calls, executionArn } = await start('order-emailed', {
      deliver: webhookFails,
      email: (payload) => ({ outcome: 'sent', noticeId: payload.noticeId }),
      step: step.script,
    });
    expect(await finished(executionArn)).toBe('SUCCEEDED');
    expect(calls.map(describeCall)).toEqual([
      'evaluate',
      'deliver 000001',
      'evaluate',
      'registerWait',
      'evaluate',
      'deliver 000001',
      'evaluate',
      'email 000001',
      'evaluate',
      'finalize',
      'evaluate',
    ]);
    expect(calls.find((call) => call.fn === 'email')?.payload).toEqual({
      orderId: 'order-emailed',
      noticeId: '000001',
    });
    // The next webhook attempt was 0.2 s away: the wait's timeout is rounded up to one second, and ran out.
    const events = await history(executionArn);
    const awaitScheduled = events
      .filter((event) => event.type === 'TaskScheduled')
      .map((event) => event.taskScheduledEventDetails as Payload)
      .find((details) => String(details.resource).endsWith('waitForTaskToken'));
    expect(awaitScheduled?.timeoutInSeconds).toBe(1);
    expect(countOf(events, 'TaskTimedOut')).toBe(1);
  });

  it('escalates when the wait runs out at the deadline while a notice is still being retried', async () => {
    const step = workflowStep([
      { next: 'deliver', noticeId: '000001' },
      { next: 'wait', waitSeconds: 1 },
      { next: 'escalate' },
      { next: 'deliver', noticeId: '000002' },
      { next: 'finalize' },
      { next: 'done' },
    ]);
    const { calls, executionArn } = await start('order-overdue', {
      deliver: (payload) =>
        payload.noticeId === '000001' ? webhookFails(payload) : webhookDelivers(payload),
      step: step.script,
    });
    expect(await finished(executionArn)).toBe('SUCCEEDED');
    expect(calls.map(describeCall)).toEqual([
      'evaluate',
      'deliver 000001',
      'evaluate',
      'registerWait',
      'evaluate',
      'escalate',
      'evaluate',
      'deliver 000002',
      'evaluate',
      'finalize',
      'evaluate',
    ]);
    expect(calls.find((call) => call.payload.action === 'escalate')?.payload).toEqual({
      orderId: 'order-overdue',
      action: 'escalate',
    });
    // Nobody woke the wait: its timeout did, after about its second.
    const registered = calls.findIndex((call) => call.payload.action === 'registerWait');
    const [wait, next] = [calls[registered], calls[registered + 1]];
    expect((next?.atMs ?? 0) - (wait?.atMs ?? 0)).toBeGreaterThanOrEqual(800);
    expect(countOf(await history(executionArn), 'TaskTimedOut')).toBe(1);
  });

  it('warns when the wait runs out at a warning, delivers it, and waits on for the deadline', async () => {
    const step = workflowStep([
      { next: 'deliver', noticeId: '000001' },
      { next: 'wait', waitSeconds: 1 },
      { next: 'warn' },
      { next: 'deliver', noticeId: '000002' },
      { next: 'wait', waitSeconds: 1 },
      { next: 'escalate' },
      { next: 'finalize' },
      { next: 'done' },
    ]);
    const { calls, executionArn } = await start('order-warned', {
      deliver: webhookDelivers,
      step: step.script,
    });
    expect(await finished(executionArn)).toBe('SUCCEEDED');
    expect(calls.map(describeCall)).toEqual([
      'evaluate',
      'deliver 000001',
      'evaluate',
      'registerWait',
      'evaluate',
      'warn',
      'evaluate',
      'deliver 000002',
      'evaluate',
      'registerWait',
      'evaluate',
      'escalate',
      'evaluate',
      'finalize',
      'evaluate',
    ]);
    expect(calls.find((call) => call.payload.action === 'warn')?.payload).toEqual({
      orderId: 'order-warned',
      action: 'warn',
    });
    // Operators read the warning in the history: its own state, with which deadline and fraction it was.
    const events = await history(executionArn);
    expect(enteredStates(events)).toContain('WarnDeadline');
    const exited = events.find(
      (event) =>
        event.type === 'TaskStateExited' &&
        (event.stateExitedEventDetails as Payload).name === 'WarnDeadline',
    );
    const output = (exited?.stateExitedEventDetails as Payload | undefined)?.output;
    expect(JSON.parse(String(output))).toMatchObject({
      warned: true,
      warning: { stage: 'order', fraction: 0.5 },
      noticeId: '000002',
    });
  });

  it('evaluates again, without retrying, when registerWait finds the order changed', async () => {
    let waits = 0;
    const step = workflowStep(
      [{ next: 'wait', waitSeconds: 3_600 }, { next: 'wait', waitSeconds: 3_600 }, { next: 'done' }],
      {
        registerWait: () => {
          waits += 1;
          if (waits === 1) throw new ScriptedFunctionError('OrderChanged');
          return { registered: true };
        },
      },
    );
    const { calls, executionArn } = await start('order-raced', { step: step.script });
    const token = await tokenFor(calls, 1);
    await engine.dispatch('SendTaskSuccess', { taskToken: token, output: '{}' });
    expect(await finished(executionArn)).toBe('SUCCEEDED');
    expect(calls.map(describeCall)).toEqual([
      'evaluate',
      'registerWait',
      'evaluate',
      'registerWait',
      'evaluate',
    ]);
    expect(
      calls.filter((call) => call.payload.action === 'registerWait').map((call) => call.payload.version),
    ).toEqual([1, 2]);
  });

  it('fails after two retries of a function error; a redrive resumes there without re-running the rest', async () => {
    let storeDown = true;
    const step = workflowStep([
      { next: 'deliver', noticeId: '000001' },
      { next: 'finalize' },
      { next: 'done' },
    ]);
    const { calls, executionArn } = await start('order-redriven', {
      deliver: (payload) => {
        if (storeDown) throw new ScriptedFunctionError('WebhookStoreUnavailable');
        return webhookDelivers(payload);
      },
      step: step.script,
    });
    expect(await finished(executionArn)).toBe('FAILED');
    const failed = await engine.dispatch('DescribeExecution', { executionArn });
    expect(failed.error).toBe('WebhookStoreUnavailable');
    expect(calls.map(describeCall)).toEqual([
      'evaluate',
      'deliver 000001',
      'deliver 000001',
      'deliver 000001',
    ]);
    // Retried after one second, then two.
    const [first, second, third] = calls.slice(1).map((call) => call.atMs);
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(900);
    expect((third ?? 0) - (second ?? 0)).toBeGreaterThanOrEqual(1_900);

    storeDown = false;
    await engine.dispatch('RedriveExecution', { executionArn });
    expect(await finished(executionArn)).toBe('SUCCEEDED');
    expect((await engine.dispatch('DescribeExecution', { executionArn })).redriveCount).toBe(1);
    expect(calls.slice(4).map(describeCall)).toEqual(['deliver 000001', 'evaluate', 'finalize', 'evaluate']);
    // The redriven attempt still knows the order and the notice: variables and input came back from the history.
    expect(calls[4]?.payload).toEqual({ orderId: 'order-redriven', noticeId: '000001' });
    const events = await history(executionArn);
    const redriven = events.findIndex((event) => event.type === 'ExecutionRedriven');
    expect(redriven).toBeGreaterThan(0);
    expect(enteredStates(events.slice(redriven))).toEqual([
      'DeliverNotice',
      'Evaluate',
      'Route',
      'Finalize',
      'Evaluate',
      'Route',
      'Done',
    ]);
  });
});
