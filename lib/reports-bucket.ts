import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from './nag';

export const REPORTS_BUCKET_LOGICAL_ID = 'ReportsBucket';

/**
 * Letters and exports too large for a Lambda response (6 MB): the reports function writes each under a random key
 * and answers a 303 to a presigned GET valid for minutes; the objects expire after a day. Nothing here is the record.
 */
export class ReportsBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // S3-managed keys: a presigned GET then needs no kms:Decrypt by whoever follows the link.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: false,
      lifecycleRules: [
        { expiration: Duration.days(1), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.DESTROY,
    });
    (this.bucket.node.defaultChild as CfnBucket).overrideLogicalId(REPORTS_BUCKET_LOGICAL_ID);
    acknowledgeNagFinding(
      this.bucket,
      'S1',
      'Short-lived copies of letters and exports; each one handed out is already logged by the API access log ' +
        'and the function, and the objects expire after a day.',
    );
  }
}
