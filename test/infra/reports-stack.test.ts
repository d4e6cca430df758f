import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthTenggat } from './synth-tenggat';
import { resourceProperties } from './template-values';

const { template } = synthTenggat();

type Json = Record<string, unknown>;
const reportsStatements = (): Json[] => {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.entries(policies)
    .filter(([logicalId]) => logicalId.includes('ReportsFunctionRole'))
    .flatMap(([, policy]) => ((policy.Properties as Json).PolicyDocument as { Statement: Json[] }).Statement);
};

describe('the reports function and its bucket', () => {
  it('passes letters to clients as bytes (binaryMediaTypes)', () => {
    expect(resourceProperties(template, 'TenggatApi').BinaryMediaTypes).toEqual(['application/pdf']);
  });

  it('keeps large letters and exports in a private bucket, TLS only, for a day', () => {
    const bucket = resourceProperties(template, 'ReportsBucket');
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.LifecycleConfiguration).toEqual({
      Rules: [Match.objectLike({ ExpirationInDays: 1, Status: 'Enabled' })].map(() =>
        expect.objectContaining({ ExpirationInDays: 1, Status: 'Enabled' }),
      ),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
  });

  it('lets only the reports function put and get its objects (beside the intake bodies), and sign nothing', () => {
    const statements = reportsStatements();
    const s3 = statements.filter((statement) => JSON.stringify(statement.Action).includes('s3:'));
    expect(s3).toEqual([
      expect.objectContaining({
        Action: ['s3:PutObject', 's3:GetObject'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['ReportsBucket', 'Arn'] }, '/*']] },
      }),
    ]);
    expect(JSON.stringify(statements)).not.toContain('kms:Sign');
    expect(JSON.stringify(statements)).not.toContain('states:');
    // Besides it, only the submit and intake functions reach the bucket: their large orders' bodies, under intake/.
    const others = Object.entries(template.findResources('AWS::IAM::Policy')).filter(
      ([logicalId]) =>
        !logicalId.includes('ReportsFunctionRole') &&
        !logicalId.includes('SubmitOrderFunctionRole') &&
        !logicalId.includes('IntakeFunctionRole'),
    );
    for (const [logicalId, policy] of others)
      expect(JSON.stringify(policy), logicalId).not.toContain('ReportsBucket');
  });

  it('gives the reports function the bucket, the public API URL and the agency clients', () => {
    const fn = resourceProperties(template, 'ReportsFunction');
    const env = (fn.Environment as { Variables: Json }).Variables;
    expect(env.REPORTS_BUCKET).toEqual({ Ref: 'ReportsBucket' });
    expect(JSON.stringify(env.PUBLIC_API_URL)).toContain('execute-api');
    expect(env.AGENCY_CLIENTS).toBeDefined();
  });
});
