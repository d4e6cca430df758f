import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { INTAKE_KEY_PREFIX } from '../functions/src/domain/intake';
import { type Capability, FUNCTION_SPECS, type FunctionId } from './function-specs';
import { acknowledgeNagFinding } from './nag';
import { REPORTS_BUCKET_LOGICAL_ID } from './reports-bucket';

// The grants of the asynchronous intake of large orders (issue 11): the kept bodies and the intake function.

/** The bodies of large orders: put (submit) or get (intake) under `intake/` of the reports bucket, nothing else. */
export function grantIntakeBodies(
  fn: NodejsFunction,
  capabilities: readonly Capability[],
  bucket: IBucket,
): void {
  const actions = [
    ...(capabilities.includes('keepIntakeBodies') ? ['s3:PutObject'] : []),
    ...(capabilities.includes('readIntakeBodies') ? ['s3:GetObject'] : []),
  ];
  if (actions.length === 0) return;
  fn.addToRolePolicy(
    new PolicyStatement({ actions, resources: [bucket.arnForObjects(`${INTAKE_KEY_PREFIX}*`)] }),
  );
  acknowledgeNagFinding(
    fn.role ?? fn,
    `IAM5[Resource::<${REPORTS_BUCKET_LOGICAL_ID}.Arn>/${INTAKE_KEY_PREFIX}*]`,
    'One body per large order, keyed by its random order id (intake/<orderId>.json): the prefix is the narrowest ' +
      'scope that exists; the objects expire after a day.',
  );
}

/**
 * lambda:InvokeFunction on the intake function only, for each function that starts intakes, with its name in
 * INTAKE_FUNCTION_NAME. The intake's own grant (it invokes itself for the next slices) is a policy apart from its
 * default one: the function depends on its default policy, so a statement there naming its own ARN would be a cycle.
 */
export function grantStartIntake(scope: Construct, byId: ReadonlyMap<FunctionId, NodejsFunction>): void {
  const intake = byId.get('IntakeFunction');
  if (intake === undefined) return;
  for (const [functionId, fn] of byId) {
    if (!FUNCTION_SPECS[functionId].capabilities.includes('startIntake')) continue;
    const statement = new PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: [intake.functionArn],
    });
    if (fn === intake) {
      const role = intake.role;
      if (role === undefined) throw new Error('IntakeFunction has no role');
      new Policy(scope, 'IntakeFunctionSelfInvoke', { statements: [statement], roles: [role] });
    } else {
      fn.addToRolePolicy(statement);
      fn.addEnvironment('INTAKE_FUNCTION_NAME', intake.functionName);
    }
  }
}
