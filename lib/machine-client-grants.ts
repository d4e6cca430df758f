import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';

/** The machine user pool where platforms' app clients are created, and the token URL those clients use. */
export interface MachineClientPool {
  readonly userPool: IUserPool;
  readonly tokenUrl: string;
}

/**
 * A function that registers platforms creates each one's client-credentials app client: CreateUserPoolClient on
 * the machine pool only (no other Cognito action, no other pool), with the pool id and token URL in its environment.
 */
export function grantMachineClients(fn: NodejsFunction, pool: MachineClientPool): void {
  fn.addEnvironment('MACHINE_USER_POOL_ID', pool.userPool.userPoolId);
  fn.addEnvironment('MACHINE_TOKEN_URL', pool.tokenUrl);
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['cognito-idp:CreateUserPoolClient'],
      resources: [pool.userPool.userPoolArn],
    }),
  );
}
