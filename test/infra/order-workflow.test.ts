import validateAsl from 'asl-validator';
import jsonata from 'jsonata';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWorkflowDefinition, type WorkflowDefinition } from '../../lib/workflow-definition';
import { synthTenggat } from './synth-tenggat';
import { placeholderArn, resolveToString, resourceProperties } from './template-values';

type State = Record<string, unknown>;
type Variables = Record<string, unknown>;

// Synthesized once for the whole file: the definition as CloudFormation will hand it to Step Functions.
const { template } = synthTenggat();
const properties = resourceProperties(template, 'OrderWorkflow');
const definition = JSON.parse(resolveToString(properties.DefinitionString)) as WorkflowDefinition;

function state(name: string): State {
  const found = definition.States[name];
  if (!found) throw new Error(`No state ${name}`);
  return found;
}

function unwrap(expression: unknown): string {
  const match = /^\{%(.*)%\}$/s.exec(String(expression));
  if (!match?.[1]) throw new Error(`${String(expression)} is not a JSONata expression`);
  return match[1];
}

/** What `$states` holds while a state's fields are evaluated (input, and result or context where they apply). */
interface StatesBinding {
  readonly input?: unknown;
  readonly result?: unknown;
  readonly context?: unknown;
}

async function evaluate(
  expression: unknown,
  states: StatesBinding,
  variables: Variables = {},
): Promise<unknown> {
  return jsonata(unwrap(expression)).evaluate({}, { ...variables, states });
}

/** Resolves a JSONata template value the way Step Functions does: `{% %}` strings evaluated, other values kept. */
async function resolveTemplate(
  value: unknown,
  states: StatesBinding,
  variables: Variables,
): Promise<unknown> {
  if (typeof value === 'string' && value.startsWith('{%')) return evaluate(value, states, variables);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = await Promise.all(
      Object.entries(value).map(
        async ([key, field]) => [key, await resolveTemplate(field, states, variables)] as const,
      ),
    );
    return Object.fromEntries(entries);
  }
  return value;
}

/** The payload a task hands its function, for this input and these variables. */
async function payloadOf(name: string, states: StatesBinding, variables: Variables): Promise<unknown> {
  return resolveTemplate((state(name).Arguments as State).Payload, states, variables);
}

/** Follows a Choice state the way Step Functions does: first rule whose Condition holds, else Default. */
async function choose(choiceName: string, input: unknown): Promise<string> {
  const choice = state(choiceName);
  for (const rule of choice.Choices as State[]) {
    if ((await evaluate(rule.Condition, { input })) === true) return String(rule.Next);
  }
  return String(choice.Default);
}

/** The retrier Step Functions applies to an error: the first whose ErrorEquals names it (AWS wildcard rules). */
function retrierFor(task: State, error: string): State | undefined {
  return (task.Retry as State[]).find((retrier) =>
    (retrier.ErrorEquals as string[]).some(
      (name) =>
        name === error ||
        name === 'States.ALL' ||
        (name === 'States.TaskFailed' && error !== 'States.Timeout' && error !== 'States.Runtime'),
    ),
  );
}

const tasks = Object.entries(definition.States).filter(([, candidate]) => candidate.Type === 'Task');
const WORKFLOW_STEP = placeholderArn('WorkflowStepFunction');
const evaluated = {
  next: 'wait',
  noticeId: null,
  waitSeconds: 86_400,
  version: 7,
  evaluatedAt: '2030-01-02T03:04:05.000Z',
};

describe('OrderWorkflow state machine', () => {
  it('is a Standard state machine written in JSONata, with X-Ray, logs without execution data and KMS', () => {
    expect(properties.StateMachineType).toBe('STANDARD');
    expect(definition.QueryLanguage).toBe('JSONata');
    expect(properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(properties.LoggingConfiguration).toMatchObject({ IncludeExecutionData: false, Level: 'ALL' });
    const encryption = properties.EncryptionConfiguration as State;
    expect(encryption.Type).toBe('CUSTOMER_MANAGED_KMS_KEY');
    const keyId = (encryption.KmsKeyId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
    expect(Object.keys(template.findResources('AWS::KMS::Key'))).toContain(keyId);
  });

  it('passes asl-validator', () => {
    const result = validateAsl(structuredClone(definition), { checkArn: true, checkPaths: true });
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('keeps only the order id from the input and goes straight to Evaluate', async () => {
    expect(definition.StartAt).toBe('Start');
    const start = state('Start');
    expect(start.Type).toBe('Pass');
    expect(start.Next).toBe('Evaluate');
    const assigned = await resolveTemplate(start.Assign, { input: { orderId: 'o-1', recovery: 2 } }, {});
    expect(assigned).toEqual({ orderId: 'o-1', version: null });
  });

  it('invokes a contract function from every task, and every task returns to Evaluate', () => {
    const invoked = Object.fromEntries(
      tasks.map(([name, task]) => [name, [task.Resource, (task.Arguments as State).FunctionName]]),
    );
    const invoke = 'arn:aws:states:::lambda:invoke';
    expect(invoked).toEqual({
      Evaluate: [invoke, WORKFLOW_STEP],
      EmailNotice: [invoke, placeholderArn('EmailNoticeFunction')],
      DeliverNotice: [invoke, placeholderArn('DeliverWebhookFunction')],
      Escalate: [invoke, WORKFLOW_STEP],
      WarnDeadline: [invoke, WORKFLOW_STEP],
      Finalize: [invoke, WORKFLOW_STEP],
      Await: [`${invoke}.waitForTaskToken`, WORKFLOW_STEP],
    });
    expect(state('Evaluate').Next).toBe('Route');
    for (const [name, task] of tasks) {
      if (name !== 'Evaluate') expect([name, task.Next]).toEqual([name, 'Evaluate']);
      if (name !== 'Await') expect([name, task.Output]).toEqual([name, '{% $states.result.Payload %}']);
    }
  });

  it('retries Lambda service errors six times with full jitter, and other function errors twice', () => {
    for (const [name, task] of tasks) {
      for (const error of [
        'Lambda.ServiceException',
        'Lambda.AWSLambdaException',
        'Lambda.SdkClientException',
        'Lambda.TooManyRequestsException',
      ]) {
        expect([name, error, retrierFor(task, error)]).toEqual([
          name,
          error,
          expect.objectContaining({ MaxAttempts: 6, JitterStrategy: 'FULL' }),
        ]);
      }
      for (const error of ['Lambda.Unknown', 'WebhookStoreUnavailable', 'InvalidWorkflowInputError']) {
        expect([name, error, retrierFor(task, error)]).toEqual([
          name,
          error,
          expect.objectContaining({ IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }),
        ]);
      }
      // The wait ran out: Await's Catch handles it, it is never retried.
      expect([name, retrierFor(task, 'States.Timeout')]).toEqual([name, undefined]);
    }
  });

  it('lets a failed task fail the execution (for the reconciler to redrive); only Await catches', () => {
    for (const [name, task] of tasks) {
      if (name !== 'Await') expect([name, task.Catch]).toEqual([name, undefined]);
    }
  });

  it('routes each next step of evaluate to its state, and anything else to Await', async () => {
    const routes: Record<string, string> = {
      email: 'EmailNotice',
      deliver: 'DeliverNotice',
      escalate: 'Escalate',
      warn: 'WarnDeadline',
      finalize: 'Finalize',
      done: 'Done',
      wait: 'Await',
      somethingNew: 'Await',
    };
    for (const [next, stateName] of Object.entries(routes)) {
      expect([next, await choose('Route', { ...evaluated, next, noticeId: '000003' })]).toEqual([
        next,
        stateName,
      ]);
    }
    expect(state('Done').Type).toBe('Succeed');
  });

  it('asks each function for its one step: the notice evaluate named, or the action', async () => {
    const input = { ...evaluated, next: 'email', noticeId: '000003' };
    const variables = { orderId: 'o-1', version: 7 };
    expect(await payloadOf('Evaluate', { input: { orderId: 'o-1' } }, variables)).toEqual({
      orderId: 'o-1',
      action: 'evaluate',
    });
    expect(await payloadOf('EmailNotice', { input }, variables)).toEqual({
      orderId: 'o-1',
      noticeId: '000003',
    });
    expect(await payloadOf('DeliverNotice', { input }, variables)).toEqual({
      orderId: 'o-1',
      noticeId: '000003',
    });
    expect(await payloadOf('Escalate', { input }, variables)).toEqual({ orderId: 'o-1', action: 'escalate' });
    expect(await payloadOf('WarnDeadline', { input }, variables)).toEqual({ orderId: 'o-1', action: 'warn' });
    expect(await payloadOf('Finalize', { input }, variables)).toEqual({ orderId: 'o-1', action: 'finalize' });
  });

  it('keeps the version evaluate read, and registers the wait with it, the token and evaluatedAt', async () => {
    const assign = state('Evaluate').Assign as State;
    expect(Object.keys(assign)).toEqual(['version']);
    expect(await evaluate(assign.version, { result: { Payload: { ...evaluated, version: 12 } } })).toBe(12);
    const states = { input: evaluated, context: { Task: { Token: 'token-1' } } };
    expect(await payloadOf('Await', states, { orderId: 'o-1', version: 12 })).toEqual({
      action: 'registerWait',
      orderId: 'o-1',
      taskToken: 'token-1',
      version: 12,
      evaluatedAt: evaluated.evaluatedAt,
    });
  });

  it('waits with a callback task whose timeout is waitSeconds, rounded up, at least one second', async () => {
    const timeout = state('Await').TimeoutSeconds;
    const waitFor = (waitSeconds: number) => evaluate(timeout, { input: { ...evaluated, waitSeconds } });
    expect(await waitFor(86_400)).toBe(86_400);
    expect(await waitFor(4.2)).toBe(5);
    // Something already due still yields a valid (positive) timeout.
    expect(await waitFor(0)).toBe(1);
    expect(await waitFor(-30)).toBe(1);
  });

  it('goes back to Evaluate when the wait times out, the order changed, or a handler wakes it', () => {
    const awaitState = state('Await');
    const catches = (awaitState.Catch as State[]).map(({ ErrorEquals, Next }) => ({ ErrorEquals, Next }));
    expect(catches).toEqual([
      { ErrorEquals: ['States.Timeout'], Next: 'Evaluate' },
      { ErrorEquals: ['OrderChanged'], Next: 'Evaluate' },
    ]);
    expect(awaitState.Next).toBe('Evaluate');
    // OrderChanged would otherwise match States.TaskFailed: a stale plan must be evaluated again at once.
    expect(retrierFor(awaitState, 'OrderChanged')).toMatchObject({ MaxAttempts: 0 });
  });

  it('hands the functions only ids, counters and tokens: no items, no personal data', () => {
    const built = buildWorkflowDefinition({ deliverWebhook: 'a', emailNotice: 'b', workflowStep: 'c' });
    const payloads = Object.values(built.States).flatMap((candidate) => {
      const payload = (candidate.Arguments as State | undefined)?.Payload as State | undefined;
      return payload ? [payload] : [];
    });
    expect([...new Set(payloads.flatMap((payload) => Object.keys(payload)))].sort()).toEqual([
      'action',
      'evaluatedAt',
      'noticeId',
      'orderId',
      'taskToken',
      'version',
    ]);
    const values = new Set(payloads.flatMap((payload) => Object.values(payload).map(String)));
    expect([...values].sort()).toEqual([
      'escalate',
      'evaluate',
      'finalize',
      'registerWait',
      'warn',
      '{% $orderId %}',
      '{% $states.context.Task.Token %}',
      '{% $states.input.evaluatedAt %}',
      '{% $states.input.noticeId %}',
      '{% $version %}',
    ]);
    const variables = Object.values(built.States).flatMap((candidate) =>
      Object.keys((candidate.Assign as State | undefined) ?? {}),
    );
    expect([...new Set(variables)].sort()).toEqual(['orderId', 'version']);
  });
});

describe('the functions the state machine may invoke', () => {
  let statements: State[] = [];
  beforeAll(() => {
    const policies = template.findResources('AWS::IAM::Policy');
    const roleRef = (properties.RoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
    const policy = Object.values(policies).find((candidate) =>
      JSON.stringify(candidate.Properties.Roles).includes(String(roleRef)),
    );
    statements = (policy?.Properties.PolicyDocument.Statement ?? []) as State[];
  });

  it('are exactly the three workflow functions, unqualified', () => {
    const invoke = statements.filter((statement) =>
      [statement.Action].flat().some((action) => String(action).startsWith('lambda:')),
    );
    expect(invoke.map((statement) => statement.Action)).toEqual(['lambda:InvokeFunction']);
    const resources = ([invoke[0]?.Resource ?? []].flat() as unknown[]).map(resolveToString);
    expect(resources.sort()).toEqual([
      placeholderArn('DeliverWebhookFunction'),
      placeholderArn('EmailNoticeFunction'),
      placeholderArn('WorkflowStepFunction'),
    ]);
  });
});
