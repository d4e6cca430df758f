import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag AwsSolutions finding on a construct (and its children). Kept next to the resource
 * it concerns, with the reason a reviewer needs; `finding` is the rule id, optionally with its `[...]` detail.
 */
export function acknowledgeNagFinding(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${finding}`, reason });
}
