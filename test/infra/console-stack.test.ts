import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthTenggat } from './synth-tenggat';

let template: Template;
beforeAll(() => {
  template = synthTenggat().template;
});

const resourcesOf = (type: string) => Object.values(template.findResources(type));

describe('Console construct', () => {
  it('serves the bucket through CloudFront with origin access control and no public access', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
      }),
    });
    const [distribution] = resourcesOf('AWS::CloudFront::Distribution');
    const config = distribution?.Properties.DistributionConfig;
    expect(config.DefaultRootObject).toBe('index.html');
    const s3Origin = config.Origins.find((origin: { S3OriginConfig?: unknown }) => origin.S3OriginConfig);
    expect(s3Origin.OriginAccessControlId).toBeDefined();
    expect(s3Origin.S3OriginConfig.OriginAccessIdentity).toBe('');
    const buckets = template.findResources('AWS::S3::Bucket');
    const consoleBucket = Object.entries(buckets).find(([id]) => id.startsWith('ConsoleFiles'));
    expect(consoleBucket?.[1].Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it('sends a strict content security policy and HSTS with every console file', () => {
    const [policy] = resourcesOf('AWS::CloudFront::ResponseHeadersPolicy');
    const security = policy?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp: string = security.ContentSecurityPolicy.ContentSecurityPolicy;
    expect(csp).toMatch(/^default-src 'self'/);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(security.StrictTransportSecurity.AccessControlMaxAgeSec).toBeGreaterThanOrEqual(31_536_000);
    expect(security.FrameOptions.FrameOption).toBe('DENY');
  });

  it('routes /v1/* to the REST API with caching disabled and every viewer header but Host', () => {
    const [distribution] = resourcesOf('AWS::CloudFront::Distribution');
    const config = distribution?.Properties.DistributionConfig;
    const api = config.CacheBehaviors.find(
      (behaviour: { PathPattern: string }) => behaviour.PathPattern === '/v1/*',
    );
    expect(api).toBeDefined();
    expect(api.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // Managed-CachingDisabled
    expect(api.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac'); // AllViewerExceptHostHeader
    expect(api.AllowedMethods).toEqual(expect.arrayContaining(['POST', 'DELETE', 'PATCH']));
    const origin = config.Origins.find((candidate: { Id: string }) => candidate.Id === api.TargetOriginId);
    expect(JSON.stringify(origin.DomainName)).toContain('execute-api');
    expect(JSON.stringify(origin.OriginPath)).toContain('"/",{"Ref":"ApiRestApiDeploymentStage');
  });

  it('deploys the built console and its config.json, and outputs the console URL', () => {
    const deployments = resourcesOf('Custom::CDKBucketDeployment');
    const assets = deployments.find((candidate) => candidate.Properties.Include !== undefined);
    const files = deployments.find((candidate) => candidate.Properties.Include === undefined);
    // Both copy from the built console and config.json, each only its own files.
    for (const deployment of [assets, files]) expect(deployment?.Properties.SourceObjectKeys).toHaveLength(2);
    // Hashed assets are kept a year and need no invalidation; index.html and config.json are never stale.
    expect(assets?.Properties).toMatchObject({
      Exclude: ['*'],
      Include: ['assets/*'],
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });
    expect(assets?.Properties.DistributionPaths).toBeUndefined();
    expect(files?.Properties).toMatchObject({
      Exclude: ['assets/*'],
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionPaths: ['/index.html', '/config.json'],
    });
    template.hasOutput('ConsoleUrl', {
      Value: {
        'Fn::Join': [
          '',
          ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConsoleDistribution'), 'DomainName'] }],
        ],
      },
    });
  });
});
