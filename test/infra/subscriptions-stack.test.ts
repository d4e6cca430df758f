import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEADLINE_WARNING_EVENT } from '../../functions/src/domain/deadline-warnings';
import { FINAL_ORDER_STATUSES } from '../../functions/src/domain/order-rules';
import { SUBSCRIPTION_EVENTS } from '../../functions/src/domain/subscriptions';
import type { FunctionId } from '../../lib/functions';
import {
  buildSubscriptionDeliveryDefinition,
  SUBSCRIPTION_DELIVERY_LOGICAL_ID,
} from '../../lib/subscriptions';
import { functionPolicies, SUBSCRIPTION_SECRET_USERS } from './function-policies';
import { synthTenggat } from './synth-tenggat';
import { resolveToString } from './template-values';

type Json = Record<string, unknown>;
const { template } = synthTenggat();
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
const machine = resources[SUBSCRIPTION_DELIVERY_LOGICAL_ID];
const machineArn = { Ref: SUBSCRIPTION_DELIVERY_LOGICAL_ID };

const dataKeyLogicalId =
  Object.keys(template.findResources('AWS::KMS::Key')).find((logicalId) => logicalId.startsWith('DataKey')) ??
  'missing';
const { statementsOfRole, actionsOf, resourcesFor, environmentOf } = functionPolicies(template);

describe('agency subscriptions: the rule and the delivery state machine', () => {
  it('sends every subscription event of the Tenggat bus that a subscription takes, and nothing else, to SubscriptionDelivery', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((rule) =>
      JSON.stringify(rule.Properties?.Targets).includes(SUBSCRIPTION_DELIVERY_LOGICAL_ID),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties).toMatchObject({
      EventBusName: { Ref: 'TenggatEventBus' },
      EventPattern: {
        source: ['tenggat.orders'],
        'detail-type': [...SUBSCRIPTION_EVENTS],
        detail: { subscribed: [true] },
      },
      State: 'ENABLED',
      Targets: [{ Arn: machineArn, RoleArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } }],
    });
    // The rule's role may start executions of this machine only.
    const targets = (rules[0]?.Properties?.Targets ?? []) as {
      RoleArn: { 'Fn::GetAtt': [string, string] };
    }[];
    const roleArn = targets[0]?.RoleArn['Fn::GetAtt'][0];
    expect(statementsOfRole(roleArn ?? 'missing')).toEqual([
      expect.objectContaining({ Action: 'states:StartExecution', Resource: machineArn }),
    ]);
  });

  it('is a Standard machine, encrypted with the data key, logging no execution data', () => {
    expect(machine?.Type).toBe('AWS::StepFunctions::StateMachine');
    expect(machine?.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      EncryptionConfiguration: { Type: 'CUSTOMER_MANAGED_KMS_KEY' },
      LoggingConfiguration: { IncludeExecutionData: false, Level: 'ALL' },
      TracingConfiguration: { Enabled: true },
    });
    const definition = JSON.stringify(machine?.Properties.DefinitionString);
    expect(definition).toContain('DeliverSubscriptionsFunction');
    const role = (machine?.Properties.RoleArn ?? { 'Fn::GetAtt': ['missing'] }) as { 'Fn::GetAtt': string[] };
    const roleLogicalId = role['Fn::GetAtt'][0] ?? 'missing';
    const invokes = statementsOfRole(roleLogicalId).filter((statement) =>
      [statement.Action].flat().includes('lambda:InvokeFunction'),
    );
    expect(invokes.map((statement) => resolveToString(statement.Resource))).toEqual([
      resolveToString({ 'Fn::GetAtt': ['DeliverSubscriptionsFunction', 'Arn'] }),
    ]);
  });

  it('loops deliver → wait (the seconds the round answered) → deliver until nothing is pending', () => {
    const definition = buildSubscriptionDeliveryDefinition('arn:deliver');
    expect(definition.StartAt).toBe('Deliver');
    expect(definition.States.Deliver).toMatchObject({
      Arguments: { FunctionName: 'arn:deliver', Payload: '{% $states.input %}' },
      Next: 'Pending',
    });
    expect(definition.States.Pending.Choices).toEqual([
      { Condition: '{% $count($states.input.pending) > 0 %}', Next: 'WaitForRetry' },
    ]);
    expect(definition.States.Pending.Default).toBe('Done');
    expect(definition.States.WaitForRetry).toEqual({
      Type: 'Wait',
      Seconds: '{% $max([1, $states.input.waitSeconds]) %}',
      Next: 'Deliver',
    });
  });
});

describe('agency subscriptions: grants', () => {
  it('lets the subscriptions function create and delete subscription secrets, and the delivery only read them', () => {
    const subscriptionSecrets =
      'arn:aws:secretsmanager:ap-southeast-3:123456789012:secret:tenggat/subscriptions/*';
    const secretActions = (functionId: FunctionId) =>
      actionsOf(functionId).filter((action) => action.startsWith('secretsmanager:'));
    expect(secretActions('SubscriptionsFunction').sort()).toEqual([
      'secretsmanager:CreateSecret',
      'secretsmanager:DeleteSecret',
    ]);
    expect(secretActions('DeliverSubscriptionsFunction')).toEqual(['secretsmanager:GetSecretValue']);
    for (const functionId of SUBSCRIPTION_SECRET_USERS) {
      for (const action of secretActions(functionId))
        expect(resourcesFor(functionId, action), `${functionId} ${action}`).toEqual([subscriptionSecrets]);
    }
    expect(environmentOf('SubscriptionsFunction').SUBSCRIPTION_SECRET_KMS_KEY_ID).toEqual({
      'Fn::GetAtt': [dataKeyLogicalId, 'Arn'],
    });
    expect(environmentOf('DeliverSubscriptionsFunction').SUBSCRIPTION_SECRET_KMS_KEY_ID).toBeUndefined();
    // Neither holds the bus, the state machines or the audit key: they change no order.
    for (const functionId of SUBSCRIPTION_SECRET_USERS) {
      expect(actionsOf(functionId).filter((action) => /^(events|states|ses):/.test(action))).toEqual([]);
      expect(actionsOf(functionId)).not.toContain('kms:Sign');
    }
  });
});

describe('agency subscriptions: the event list', () => {
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? sources(join(dir, entry.name))
        : entry.name.endsWith('.ts')
          ? [readFileSync(join(dir, entry.name), 'utf8')]
          : [],
    );
  const code = sources(join(process.cwd(), 'functions', 'src', 'use-cases')).join('\n');
  const codeOfOrderRules = readFileSync(join(process.cwd(), 'functions/src/domain/order-rules.ts'), 'utf8');

  it('names only events the functions publish on the bus', () => {
    for (const event of SUBSCRIPTION_EVENTS) {
      const published =
        code.includes(`type: '${event}'`) ||
        // finalize publishes `takedown.<final status>`; escalate publishes the stage's announcing event.
        FINAL_ORDER_STATUSES.some((status) => event === `takedown.${status}`) ||
        codeOfOrderRules.includes(`announcedBy: '${event}'`) ||
        // the warn step publishes the warning under its named constant.
        (event === DEADLINE_WARNING_EVENT && code.includes('type: DEADLINE_WARNING_EVENT'));
      expect(published, event).toBe(true);
    }
  });

  it('is listed, every event, in docs/webhooks.md', () => {
    const docs = readFileSync(join(process.cwd(), 'docs', 'webhooks.md'), 'utf8');
    for (const event of SUBSCRIPTION_EVENTS) expect(docs, event).toContain(`| \`${event}\``);
  });
});
