import type { Template } from 'aws-cdk-lib/assertions';

/** Thrown when a template value uses an intrinsic the tests do not resolve. */
export class UnresolvableValueError extends Error {
  constructor(value: unknown) {
    super(`Cannot resolve ${JSON.stringify(value)} to a string`);
    this.name = 'UnresolvableValueError';
  }
}

/** Placeholder ARN for a resource, so that resolved strings stay readable and parseable. */
export function placeholderArn(logicalId: string): string {
  return `arn:aws:lambda:ap-southeast-3:123456789012:function:${logicalId}`;
}

/** Resolves `Fn::Join`, `Ref` and `Fn::GetAtt` to a string, with placeholders for what only exists on AWS. */
export function resolveToString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const join = record['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map(resolveToString).join(join[0]);
    }
    const ref = record.Ref;
    if (typeof ref === 'string')
      return ref.startsWith('AWS::') ? (ref === 'AWS::Partition' ? 'aws' : ref) : `ref-${ref}`;
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return placeholderArn(getAtt[0]);
  }
  throw new UnresolvableValueError(value);
}

/** The one resource of a type with the given logical id, as the template holds it. */
export function resourceProperties(template: Template, logicalId: string): Record<string, unknown> {
  const resource = template.toJSON().Resources?.[logicalId] as
    | { Properties?: Record<string, unknown> }
    | undefined;
  if (!resource?.Properties) throw new UnresolvableValueError(logicalId);
  return resource.Properties;
}
