import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type { Distribution } from 'aws-cdk-lib/aws-cloudfront';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, type ISource } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from './nag';

/** The built console's folder of content-hashed files (see `console/build.ts`). */
export const ASSETS_FOLDER = 'assets';

export interface ConsoleDeploymentProps {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly sources: ISource[];
  /** Paths CloudFront must fetch again after a deployment. */
  readonly invalidate: string[];
  /** Encrypts the deployment's log group, like every other log group of the stack. */
  readonly encryptionKey: IKey;
}

/**
 * Copies the built console into its bucket (CDK's `BucketDeployment` custom resource), under a role of our own:
 * CDK's default grants `s3:GetObject*`, `s3:List*`, `s3:DeleteObject*` and `cloudfront:*Invalidation` on `*`;
 * this role names each action and its one bucket or distribution. CDK's own grants go nowhere
 * (`withoutPolicyUpdates`).
 */
export class ConsoleDeployment extends Construct {
  constructor(scope: Construct, id: string, props: ConsoleDeploymentProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const assetsBucket = `arn:${stack.partition}:s3:::${assetsBucketName(stack, false)}`;
    const distributionArn = stack.formatArn({
      service: 'cloudfront',
      region: '',
      resource: 'distribution',
      resourceName: props.distribution.distributionId,
    });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Tenggat console deployment: copies the built console into its bucket',
      inlinePolicies: {
        deploy: new PolicyDocument({
          statements: [
            new PolicyStatement({ actions: ['s3:GetObject'], resources: [`${assetsBucket}/*`] }),
            new PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.bucket.bucketArn] }),
            new PolicyStatement({
              actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
              resources: [props.bucket.arnForObjects('*')],
            }),
            new PolicyStatement({
              actions: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
              resources: [distributionArn],
            }),
            new PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [logGroup.logGroupArn],
            }),
          ],
        }),
      },
    });
    const why =
      'Objects of one bucket: the CDK assets bucket (the console zip, named at deploy time) or the console ' +
      'bucket (every file of the console, replaced and pruned on each deployment).';
    acknowledgeNagFinding(
      role,
      `IAM5[Resource::arn:<AWS::Partition>:s3:::${assetsBucketName(stack, true)}/*]`,
      why,
    );
    acknowledgeNagFinding(
      role,
      `IAM5[Resource::<${stack.getLogicalId(props.bucket.node.defaultChild as CfnBucket)}.Arn>/*]`,
      why,
    );
    // Hashed assets change name with their content, so browsers and CloudFront may keep them a year; index.html
    // and config.json name those assets and must never be stale. Two copies, each pruning only its own files.
    const assets = new BucketDeployment(this, 'Assets', {
      destinationBucket: props.bucket,
      sources: props.sources,
      exclude: ['*'],
      include: [`${ASSETS_FOLDER}/*`],
      cacheControl: [
        CacheControl.setPublic(),
        CacheControl.maxAge(Duration.days(365)),
        CacheControl.immutable(),
      ],
      memoryLimit: 512,
      role: role.withoutPolicyUpdates(),
      logGroup,
    });
    const deployment = new BucketDeployment(this, 'Files', {
      destinationBucket: props.bucket,
      sources: props.sources,
      exclude: [`${ASSETS_FOLDER}/*`],
      cacheControl: [CacheControl.noCache()],
      distribution: props.distribution,
      distributionPaths: props.invalidate,
      memoryLimit: 512,
      role: role.withoutPolicyUpdates(),
      logGroup,
    });
    // The new index.html may name assets the first copy brings: never publish it before them.
    deployment.node.addDependency(assets);
    // CDK makes the handler once per stack, beside the stack's other children.
    const handler = stack.node.children.find((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (!handler) throw new Error(`no BucketDeployment handler beside ${deployment.node.path}`);
    acknowledgeNagFinding(
      handler,
      'L1',
      "CDK's BucketDeployment handler: its runtime is chosen by aws-cdk-lib and moves with it.",
    );
  }
}

/** The bootstrap's file assets bucket (default qualifier); `forNag` renders account and region as cdk-nag does. */
function assetsBucketName(stack: Stack, forNag: boolean): string {
  const qualifier = stack.synthesizer.bootstrapQualifier ?? 'hnb659fds';
  const account = forNag && Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const region = forNag && Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  return `cdk-${qualifier}-assets-${account}-${region}`;
}
