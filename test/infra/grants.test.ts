import { describe, expect, it } from 'vitest';
import { FUNCTION_IDS } from '../../lib/functions';
import { functionPolicies, type PolicyStatement, SUBSCRIPTION_SECRET_USERS } from './function-policies';
import { synthTenggat } from './synth-tenggat';
import { resolveToString } from './template-values';

type Json = Record<string, unknown>;

// What each function may do: one synth for the file, without bundling.
const { template } = synthTenggat({ allowLoopbackWebhooks: true, blockedWebhookPorts: '4566,4567' });
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
const { statementsOf, actionsOf, resourcesFor } = functionPolicies(template);

describe('grants', () => {
  it('never use wildcard actions', () => {
    for (const functionId of FUNCTION_IDS) {
      for (const action of actionsOf(functionId)) expect(action, functionId).not.toContain('*');
    }
    const allActions = Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Policy')
      .flatMap(
        (resource) => (resource.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement,
      )
      .flatMap((statement) => [statement.Action].flat());
    expect(allActions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('let only the submit, intake and reconciler functions start executions, on the order workflow only', () => {
    const starters = FUNCTION_IDS.filter((functionId) =>
      actionsOf(functionId).includes('states:StartExecution'),
    );
    // The intake function starts a large order's execution once its last item is in.
    expect(starters.sort()).toEqual(['IntakeFunction', 'ReconcilerFunction', 'SubmitOrderFunction']);
    for (const starter of starters) {
      expect(resourcesFor(starter, 'states:StartExecution')).toEqual([
        'arn:aws:states:ap-southeast-3:123456789012:stateMachine:Tenggat-OrderWorkflow',
      ]);
    }
    const recoverers = FUNCTION_IDS.filter((functionId) =>
      actionsOf(functionId).includes('states:RedriveExecution'),
    );
    expect(recoverers).toEqual(['ReconcilerFunction']);
    expect(resourcesFor('ReconcilerFunction', 'states:RedriveExecution')).toEqual([
      'arn:aws:states:ap-southeast-3:123456789012:execution:Tenggat-OrderWorkflow:*',
    ]);
  });

  it('let only the operator function read execution histories and definitions, of the order workflow only', () => {
    for (const action of ['states:GetExecutionHistory', 'states:DescribeStateMachineForExecution']) {
      const readers = FUNCTION_IDS.filter((functionId) => actionsOf(functionId).includes(action));
      expect(readers, action).toEqual(['OperatorFunction']);
    }
    for (const action of [
      'states:DescribeExecution',
      'states:GetExecutionHistory',
      'states:DescribeStateMachineForExecution',
    ]) {
      expect(resourcesFor('OperatorFunction', action), action).toEqual([
        'arn:aws:states:ap-southeast-3:123456789012:execution:Tenggat-OrderWorkflow:*',
      ]);
    }
    expect(actionsOf('OperatorFunction')).not.toContain('states:RedriveExecution');
    expect(actionsOf('OperatorFunction')).not.toContain('states:StopExecution');
  });

  it('let only the email function send email, from the notice identity with its configuration set', () => {
    const senders = FUNCTION_IDS.filter((functionId) => actionsOf(functionId).includes('ses:SendEmail'));
    expect(senders).toEqual(['EmailNoticeFunction']);
    expect(resourcesFor('EmailNoticeFunction', 'ses:SendEmail')).toEqual([
      expect.stringMatching(
        /^arn:aws:ses:ap-southeast-3:123456789012:identity\/ref-MailIdentity[0-9A-F]{8}$/,
      ),
      expect.stringMatching(
        /^arn:aws:ses:ap-southeast-3:123456789012:configuration-set\/ref-MailConfigurationSet[0-9A-F]{8}$/,
      ),
    ]);
  });

  it('let only the handlers that end a wait send task results', () => {
    const wakers = FUNCTION_IDS.filter((functionId) =>
      actionsOf(functionId).includes('states:SendTaskSuccess'),
    );
    expect(wakers.sort()).toEqual(
      [
        'WithdrawOrderFunction',
        'ReviewItemsFunction',
        'PlatformResponsesFunction',
        'OperatorFunction',
        'ClarificationsFunction',
        'PlatformApiFunction',
      ].sort(),
    );
  });

  it('keep the read function read-only and scope table access to the table and its indexes', () => {
    expect(actionsOf('ReadOrdersFunction')).not.toContain('dynamodb:PutItem');
    expect(actionsOf('ReadOrdersFunction')).not.toContain('dynamodb:UpdateItem');
    expect(actionsOf('SubmitOrderFunction')).toContain('dynamodb:PutItem');
    expect(actionsOf('SubmitOrderFunction')).not.toContain('dynamodb:BatchWriteItem');
    const scanners = FUNCTION_IDS.filter((functionId) => actionsOf(functionId).includes('dynamodb:Scan'));
    expect(scanners).toEqual([]);
    for (const functionId of FUNCTION_IDS) {
      const tableResources = statementsOf(functionId)
        .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('dynamodb:')))
        .flatMap((statement) => [statement.Resource].flat().map(resolveToString));
      const table = 'arn:aws:lambda:ap-southeast-3:123456789012:function:TenggatTable';
      // Only the reconciler reads the open-orders index, only submit and intake the open-locators index, only the
      // platform API the platform index.
      const extra: Partial<Record<string, string>> = {
        ReconcilerFunction: 'byOpenOrder',
        SubmitOrderFunction: 'byOpenLocator',
        IntakeFunction: 'byOpenLocator',
        PlatformApiFunction: 'byPlatform',
      };
      const indexes = ['byAgency', ...[extra[functionId] ?? []].flat()];
      expect(new Set(tableResources), functionId).toEqual(
        new Set([table, ...indexes.map((index) => `${table}/index/${index}`)]),
      );
    }
  });

  it('let only the submit and intake functions read the open-locators index, and only with PartiQL SELECT', () => {
    for (const functionId of FUNCTION_IDS) {
      const onIndex = statementsOf(functionId).filter((statement) =>
        [statement.Resource]
          .flat()
          .map(resolveToString)
          .some((resource) => resource.endsWith('/index/byOpenLocator')),
      );
      expect(
        onIndex.flatMap((statement) => [statement.Action].flat()),
        functionId,
      ).toEqual(
        functionId === 'SubmitOrderFunction' || functionId === 'IntakeFunction'
          ? ['dynamodb:PartiQLSelect']
          : [],
      );
    }
  });

  it('scope secrets to the tenggat/platforms/ prefix and give only the operator write access', () => {
    const secretUsers = FUNCTION_IDS.filter(
      (functionId) =>
        actionsOf(functionId).some((action) => action.startsWith('secretsmanager:')) &&
        !SUBSCRIPTION_SECRET_USERS.includes(functionId),
    );
    expect(secretUsers.sort()).toEqual([
      'DeliverWebhookFunction',
      'OperatorFunction',
      'PlatformResponsesFunction',
    ]);
    for (const functionId of secretUsers) {
      expect(resourcesFor(functionId, 'secretsmanager:GetSecretValue')).toEqual([
        'arn:aws:secretsmanager:ap-southeast-3:123456789012:secret:tenggat/platforms/*',
      ]);
    }
    const writers = FUNCTION_IDS.filter((functionId) =>
      actionsOf(functionId).includes('secretsmanager:CreateSecret'),
    );
    expect(writers).toEqual(['OperatorFunction', 'SubscriptionsFunction']);
    expect(resourcesFor('OperatorFunction', 'secretsmanager:CreateSecret')).toEqual([
      'arn:aws:secretsmanager:ap-southeast-3:123456789012:secret:tenggat/platforms/*',
    ]);
    expect(template.findResources('AWS::SecretsManager::Secret')).toEqual({});
  });

  it('let functions publish only to the Tenggat bus', () => {
    for (const functionId of FUNCTION_IDS) {
      if (!actionsOf(functionId).includes('events:PutEvents')) continue;
      expect(resourcesFor(functionId, 'events:PutEvents'), functionId).toEqual([
        'arn:aws:lambda:ap-southeast-3:123456789012:function:TenggatEventBus',
      ]);
    }
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'tenggat-events' });
    template.resourceCountIs('AWS::Events::Archive', 1);
  });
});
