import type { TemplateResolver } from '../resolver';
import type { BucketSpec, LambdaPermissionSpec } from '../types';
import { asString } from '../values';

export function readBuckets(resolver: TemplateResolver): BucketSpec[] {
  return resolver.logicalIdsOf('AWS::S3::Bucket').map((logicalId) => ({
    logicalId,
    name: resolver.physicalName(logicalId),
    arn: asString(resolver.getAtt(logicalId, 'Arn'), 'bucket arn'),
  }));
}

/** Who may invoke which function (`AWS::Lambda::Permission`): EventBridge rules and SNS need one, as on AWS. */
export function readLambdaPermissions(resolver: TemplateResolver): LambdaPermissionSpec[] {
  return resolver.logicalIdsOf('AWS::Lambda::Permission').map((logicalId) => {
    const properties = resolver.resolvedProperties(logicalId);
    const target = asString(properties.FunctionName, `${logicalId} FunctionName`);
    const marker = target.indexOf(':function:');
    return {
      logicalId,
      functionName:
        (marker >= 0 ? target.slice(marker + ':function:'.length) : target).split(':')[0] ?? target,
      principal: asString(properties.Principal, `${logicalId} Principal`),
      sourceArn: typeof properties.SourceArn === 'string' ? properties.SourceArn : undefined,
    };
  });
}
