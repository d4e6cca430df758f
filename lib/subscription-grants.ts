import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { acknowledgeNagFinding } from './nag';

/** One secret per agency subscription, named `tenggat/subscriptions/<subscriptionId>`. */
export const SUBSCRIPTION_SECRET_PREFIX = 'tenggat/subscriptions/';

/**
 * Subscription secrets: the API function creates and deletes them (never reads one back: the secret is answered
 * once, from memory), the delivery function only reads them. Both on the name prefix, with the data key.
 */
export function grantSubscriptionSecrets(fn: IFunction, mode: 'manage' | 'read', key: IKey): void {
  const stack = Stack.of(fn);
  fn.addToRolePolicy(
    new PolicyStatement({
      actions:
        mode === 'manage'
          ? ['secretsmanager:CreateSecret', 'secretsmanager:DeleteSecret']
          : ['secretsmanager:GetSecretValue'],
      resources: [
        stack.formatArn({
          service: 'secretsmanager',
          resource: 'secret',
          resourceName: `${SUBSCRIPTION_SECRET_PREFIX}*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    }),
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: mode === 'manage' ? ['kms:GenerateDataKey'] : ['kms:Decrypt'],
      resources: [key.keyArn],
    }),
  );
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  acknowledgeNagFinding(
    fn.role ?? fn,
    `IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${region}:${account}:secret:${SUBSCRIPTION_SECRET_PREFIX}*]`,
    'Subscription secrets are created at run time, one per subscription, named tenggat/subscriptions/<id> ' +
      '(plus the random suffix Secrets Manager appends); the name prefix is the narrowest scope that exists.',
  );
}
