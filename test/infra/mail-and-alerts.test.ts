import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config';
import { synthTenggat } from './synth-tenggat';

const { template } = synthTenggat();
const resources = template.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;
const topicLogicalId = Object.keys(template.findResources('AWS::SNS::Topic'))[0] ?? 'missing';

function rulesTargetingTopic() {
  return Object.values(template.findResources('AWS::Events::Rule')).filter((rule) =>
    JSON.stringify(rule.Properties?.Targets).includes(topicLogicalId),
  );
}

describe('notice email (SES v2)', () => {
  it('verifies the domain of the sender and sends with the tenggat-notices configuration set', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'tenggat.example',
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'tenggat-notices' });
  });

  it('reports sent, delivered, bounced, complained and rejected messages to the default event bus', () => {
    const destination = Object.values(
      template.findResources('AWS::SES::ConfigurationSetEventDestination'),
    )[0];
    expect(JSON.stringify(destination?.Properties?.EventDestination?.EventBridgeDestination)).toContain(
      'event-bus/default',
    );
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['send', 'delivery', 'bounce', 'complaint', 'reject']),
        EventBridgeDestination: { EventBusArn: Match.anyValue() },
      },
    });
  });

  it('takes the sender from context tenggat:mailFrom and refuses one that is not an address', () => {
    expect(loadConfig({ mailFrom: 'orders@komdigi.go.id' }).mailFrom).toBe('orders@komdigi.go.id');
    expect(() => loadConfig({ mailFrom: 'not an address' })).toThrow(/tenggat:mailFrom/);
  });
});

describe('operator alerts (SNS)', () => {
  it('is one encrypted topic that refuses plain HTTP publishing', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'tenggat-operator-alerts',
      KmsMasterKeyId: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('subscribes every operator that gives an address, by email', () => {
    const operators = loadConfig().agencies.operators.flatMap((operator) => operator.email ?? []);
    expect(operators.length).toBeGreaterThan(0);
    for (const address of operators) {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: address });
    }
  });

  it('is the action of every alarm', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(10);
    for (const alarm of alarms) expect(alarm.Properties?.AlarmActions).toEqual([{ Ref: topicLogicalId }]);
  });

  it('receives platform.undeliverable and order.execution_recovered from the domain bus', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: 'TenggatEventBus' },
      EventPattern: {
        source: ['tenggat.orders'],
        'detail-type': ['platform.undeliverable', 'order.execution_recovered'],
      },
      Targets: [Match.objectLike({ Arn: { Ref: topicLogicalId } })],
    });
  });

  it("receives Step Functions' own events for order executions that failed, timed out or were aborted", () => {
    const rule = rulesTargetingTopic().find((candidate) =>
      JSON.stringify(candidate.Properties?.EventPattern).includes('aws.states'),
    );
    expect(rule?.Properties?.EventBusName).toBe('default');
    expect(rule?.Properties?.EventPattern).toMatchObject({
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
    });
    expect(JSON.stringify(rule?.Properties?.EventPattern)).toContain('{"Ref":"OrderWorkflow"}');
    // A subscription delivery that gave up on Lambda errors loses an agency's events: operators hear of it too.
    expect(rule?.Properties?.EventPattern.detail.stateMachineArn).toEqual([
      { Ref: 'OrderWorkflow' },
      { Ref: 'SubscriptionDelivery' },
    ]);
  });

  it('lets CloudWatch and EventBridge use the topic key, and nothing else outside the account', () => {
    const keyLogicalId = Object.keys(resources).find((id) => id.startsWith('AlertsKey')) ?? 'missing';
    const policy = resources[keyLogicalId]?.Properties.KeyPolicy as { Statement: Record<string, unknown>[] };
    const statements = policy.Statement;
    const services = statements.flatMap((statement) => {
      const principal = statement.Principal as { Service?: string } | undefined;
      return principal?.Service ? [principal.Service] : [];
    });
    expect(services.sort()).toEqual(['cloudwatch.amazonaws.com', 'events.amazonaws.com']);
  });
});

describe('recovery', () => {
  const functionIdOf = (prefix: string) =>
    Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.startsWith(prefix)) ??
    'missing';

  it('runs the reconciler every minute on its own schedule, with a role that may invoke only it', () => {
    const schedules = Object.entries(resources).filter(
      ([, resource]) => resource.Type === 'AWS::Scheduler::Schedule',
    );
    expect(schedules).toHaveLength(1);
    const [, schedule] = schedules[0] ?? [];
    expect(schedule?.Properties).toMatchObject({
      Name: 'tenggat-reconciler',
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
    });
    const target = schedule?.Properties.Target as {
      Arn: unknown;
      RoleArn: { 'Fn::GetAtt': [string, string] };
    };
    expect(JSON.stringify(target.Arn)).toContain(functionIdOf('ReconcilerFunction'));
    const roleId = target.RoleArn['Fn::GetAtt'][0];
    const policies = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties.Roles).includes(roleId),
    );
    const statements = policies.flatMap(
      (policy) =>
        (policy.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] })
          .Statement,
    );
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toBe('lambda:InvokeFunction');
    expect(JSON.stringify(statements[0]?.Resource)).toContain(functionIdOf('ReconcilerFunction'));
  });

  it('routes the notice emails’ SES events from the default bus to the email function', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((rule) =>
      JSON.stringify(rule.Properties?.EventPattern).includes('aws.ses'),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties.EventPattern).toMatchObject({
      source: ['aws.ses'],
      detail: {
        mail: {
          tags: { 'ses:configuration-set': [{ Ref: expect.stringMatching(/^MailConfigurationSet/) }] },
        },
      },
    });
    expect(rules[0]?.Properties.EventBusName).toBe('default');
    expect(JSON.stringify(rules[0]?.Properties.Targets)).toContain(functionIdOf('EmailNoticeFunction'));
  });
});
