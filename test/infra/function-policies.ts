import type { Template } from 'aws-cdk-lib/assertions';
import type { FunctionId } from '../../lib/functions';
import { resolveToString, resourceProperties } from './template-values';

/** One statement of an IAM policy document, as the template holds it. */
export interface PolicyStatement {
  Action: string | string[];
  Resource: unknown;
  Effect?: string;
}

/** The agency subscription functions: their own secrets, no audit key. */
export const SUBSCRIPTION_SECRET_USERS: readonly FunctionId[] = [
  'SubscriptionsFunction',
  'DeliverSubscriptionsFunction',
];

/** Reads what each function of a synthesized template may do, and what it is configured with (by logical id). */
export function functionPolicies(template: Template) {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
    Properties: { Roles: unknown; PolicyDocument: { Statement: PolicyStatement[] } };
  }[];
  /** Every statement of every policy attached to the role (its default policy and any other). */
  const statementsOfRole = (roleLogicalId: string): PolicyStatement[] =>
    policies
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleLogicalId}"`))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
  const statementsOf = (functionId: string): PolicyStatement[] =>
    statementsOfRole(
      (resourceProperties(template, functionId).Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] ?? '',
    );
  const actionsOf = (functionId: string): string[] =>
    statementsOf(functionId).flatMap((statement) => [statement.Action].flat());
  const resourcesFor = (functionId: string, action: string): string[] =>
    statementsOf(functionId)
      .filter((statement) => [statement.Action].flat().includes(action))
      .flatMap((statement) => [statement.Resource].flat().map(resolveToString));
  const environmentOf = (functionId: string): Record<string, unknown> =>
    (resourceProperties(template, functionId).Environment as { Variables: Record<string, unknown> })
      .Variables;
  return { statementsOfRole, statementsOf, actionsOf, resourcesFor, environmentOf };
}
