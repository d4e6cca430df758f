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

/** Follows a Choice state the way Step Functions does: first rule whose Condition holds, else Default. */
async function choose(choiceName: string, input: unknown, variables: Variables): Promise<string> {
  const choice = state(choiceName);
  for (const rule of choice.Choices as State[]) {
    const holds = await jsonata(unwrap(rule.Condition)).evaluate({}, { ...variables, states: { input } });
    if (holds === true) return String(rule.Next);
  }
  return String(choice.Default);
}

async function evaluate(expression: unknown, input: unknown, variables: Variables = {}): Promise<unknown> {
  return jsonata(unwrap(expression)).evaluate({}, { ...variables, states: { input } });
}

const deliveryVariables = { event: 'takedown.requested', finalAfterDelivery: false, finalized: false };

describe('OrderWorkflow state machine', () => {
  it('is a Standard state machine written in JSONata, with X-Ray and logs that exclude execution data', () => {
    expect(properties.StateMachineType).toBe('STANDARD');
    expect(definition.QueryLanguage).toBe('JSONata');
    expect(properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(properties.LoggingConfiguration).toMatchObject({ IncludeExecutionData: false, Level: 'ALL' });
    expect(properties.EncryptionConfiguration).toMatchObject({ Type: 'CUSTOMER_MANAGED_KMS_KEY' });
  });

  it('passes asl-validator', () => {
    const result = validateAsl(structuredClone(definition), { checkArn: true, checkPaths: true });
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('invokes the contract functions and retries Lambda service errors on every task', () => {
    const tasks = Object.entries(definition.States).filter(([, candidate]) => candidate.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual(
      [
        'AwaitAnswers',
        'AwaitRedelivery',
        'Deliver',
        'Escalate',
        'Evaluate',
        'Finalize',
        'MarkUndeliverable',
        'ReadRedeliveryVersion',
      ].sort(),
    );
    for (const [, task] of tasks) {
      const retriedErrors = (task.Retry as State[]).flatMap((retry) => retry.ErrorEquals as string[]);
      expect(retriedErrors).toContain('Lambda.ServiceException');
      expect(retriedErrors).toContain('Lambda.TooManyRequestsException');
    }
    expect((state('Deliver').Arguments as State).FunctionName).toBe(placeholderArn('DeliverWebhookFunction'));
    expect((state('Evaluate').Arguments as State).FunctionName).toBe(placeholderArn('WorkflowStepFunction'));
  });

  it('waits for answers with a callback task whose timeout is the earliest deadline from evaluate', async () => {
    const awaitAnswers = state('AwaitAnswers');
    expect(awaitAnswers.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    const payload = (awaitAnswers.Arguments as State).Payload as State;
    expect(payload).toMatchObject({ action: 'registerWait', purpose: 'answers' });
    expect(payload.taskToken).toBe('{% $states.context.Task.Token %}');
    expect(await evaluate(awaitAnswers.TimeoutSeconds, { waitSeconds: 86_400 })).toBe(86_400);
    expect(await evaluate(awaitAnswers.TimeoutSeconds, { waitSeconds: 4.2 })).toBe(5);
    // A deadline already due still yields a valid (positive) timeout.
    expect(await evaluate(awaitAnswers.TimeoutSeconds, { waitSeconds: 0 })).toBe(1);
  });

  it('goes back to Evaluate when the deadline passes or the order changed before the token was stored', () => {
    const catches = state('AwaitAnswers').Catch as State[];
    expect(catches).toContainEqual(
      expect.objectContaining({ ErrorEquals: ['States.Timeout'], Next: 'Evaluate' }),
    );
    expect(catches).toContainEqual(
      expect.objectContaining({ ErrorEquals: ['OrderChanged'], Next: 'Evaluate' }),
    );
  });

  it('routes a delivery result: proof of delivery, retry after the policy delay, or undeliverable', async () => {
    const delivered = { delivered: true, retryInSeconds: null, cancelled: false };
    const retry = { delivered: false, retryInSeconds: 300, cancelled: false };
    const exhausted = { delivered: false, retryInSeconds: null, cancelled: false };
    expect(await choose('AfterDelivery', delivered, deliveryVariables)).toBe('Evaluate');
    expect(await choose('AfterDelivery', retry, deliveryVariables)).toBe('WaitBeforeRetry');
    expect(await evaluate(state('WaitBeforeRetry').Seconds, retry)).toBe(300);
    expect(await choose('AfterDelivery', exhausted, deliveryVariables)).toBe('MarkUndeliverable');
    const reminder = { ...deliveryVariables, event: 'takedown.reminder' };
    expect(await choose('AfterDelivery', exhausted, reminder)).toBe('Evaluate');
    const referral = { ...deliveryVariables, event: 'takedown.blocking_referral', finalAfterDelivery: true };
    expect(await choose('AfterDelivery', delivered, referral)).toBe('Finalize');
    expect(await choose('AfterDelivery', exhausted, referral)).toBe('Finalize');
    const finalNotice = { ...deliveryVariables, event: 'takedown.withdrawn', finalized: true };
    expect(await choose('AfterDelivery', { ...exhausted, cancelled: true }, finalNotice)).toBe('Done');
  });

  it('counts delivery attempts so the deliver function can pick the next delay', async () => {
    const retryRule = (state('AfterDelivery').Choices as State[]).find(
      (rule) => rule.Next === 'WaitBeforeRetry',
    );
    const attempt = (retryRule?.Assign as State | undefined)?.attempt;
    expect(await evaluate(attempt, {}, { attempt: 2 })).toBe(3);
  });

  it('routes evaluate results to Finalize, Escalate or AwaitAnswers', async () => {
    const base = { version: 3, status: 'awaiting_platform', stage: 'order', pending: 2, disputed: 0 };
    expect(await choose('Route', { ...base, done: true, deadlinePassed: false }, {})).toBe('Finalize');
    expect(await choose('Route', { ...base, done: false, deadlinePassed: true }, {})).toBe('Escalate');
    expect(await choose('Route', { ...base, done: false, deadlinePassed: false, waitSeconds: 60 }, {})).toBe(
      'AwaitAnswers',
    );
  });

  it('delivers what the waking handler asks for, and escalation events, then evaluates again', async () => {
    expect(await choose('AfterAnswers', { notify: 'takedown.review_decided' }, {})).toBe('Deliver');
    expect(await choose('AfterAnswers', { notify: null }, {})).toBe('Evaluate');
    expect(state('Escalate').Next).toBe('AfterEscalate');
    const referral = { stage: 'st3', event: 'takedown.blocking_referral', final: true };
    expect(await choose('AfterEscalate', referral, {})).toBe('Deliver');
    const rule = (state('AfterEscalate').Choices as State[])[0];
    expect(await evaluate((rule?.Assign as State | undefined)?.event, referral)).toBe(
      'takedown.blocking_referral',
    );
    expect(await evaluate((rule?.Assign as State | undefined)?.finalAfterDelivery, referral)).toBe(true);
    // Answers arrived between Evaluate and Escalate: nothing to send, look again (or close after ST3).
    expect(await choose('AfterEscalate', { stage: 'st1', event: null, final: false }, {})).toBe('Evaluate');
    expect(await choose('AfterEscalate', { stage: 'st3', event: null, final: true }, {})).toBe('Finalize');
  });

  it('parks an undeliverable order until an operator redelivers, with no timeout', () => {
    expect(state('MarkUndeliverable').Next).toBe('HasRedeliveryVersion');
    expect(state('ReadRedeliveryVersion').Next).toBe('AwaitRedelivery');
    const awaitRedelivery = state('AwaitRedelivery');
    expect(awaitRedelivery.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(awaitRedelivery.TimeoutSeconds).toBeUndefined();
    expect(((awaitRedelivery.Arguments as State).Payload as State).purpose).toBe('redelivery');
    expect(awaitRedelivery.Next).toBe('Deliver');
  });

  it('hands the functions only ids, counters and tokens: no items, no personal data', () => {
    const built = buildWorkflowDefinition({ deliverWebhook: 'a', workflowStep: 'b' });
    const payloadKeys = new Set(
      Object.values(built.States).flatMap((candidate) => {
        const payload = (candidate.Arguments as State | undefined)?.Payload as State | undefined;
        return payload ? Object.keys(payload) : [];
      }),
    );
    expect([...payloadKeys].sort()).toEqual([
      'action',
      'attempt',
      'event',
      'orderId',
      'purpose',
      'taskToken',
      'version',
    ]);
    expect(state('Start').Assign).toMatchObject({ orderId: '{% $states.input.orderId %}' });
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

  it('are exactly the two workflow functions, unqualified', () => {
    const invoke = statements.find((statement) => statement.Action === 'lambda:InvokeFunction');
    const resources = ((invoke?.Resource ?? []) as unknown[]).map(resolveToString);
    expect(resources.sort()).toEqual([
      placeholderArn('DeliverWebhookFunction'),
      placeholderArn('WorkflowStepFunction'),
    ]);
  });
});
