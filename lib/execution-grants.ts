import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { acknowledgeNagFinding } from './nag';

/**
 * The operator's execution view: describe an order's execution, the definition it runs and its history, on the
 * order workflow's executions only (no other machine's, and nothing that changes one).
 */
export function grantExecutionReads(fn: NodejsFunction, stateMachineArn: string): void {
  const stack = Stack.of(fn);
  const machineName = stack.splitArn(stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: [
        'states:DescribeExecution',
        'states:GetExecutionHistory',
        'states:DescribeStateMachineForExecution',
      ],
      resources: [
        stack.formatArn({
          service: 'states',
          resource: 'execution',
          resourceName: `${machineName}:*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    }),
  );
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  acknowledgeNagFinding(
    fn.role ?? fn,
    `IAM5[Resource::arn:<AWS::Partition>:states:${region}:${account}:execution:${machineName}:*]`,
    'Operators read the execution of any order; executions are named per order at run time (<orderId>, ' +
      '<orderId>.<n>), so the narrowest resource is the workflow name followed by :*.',
  );
}
