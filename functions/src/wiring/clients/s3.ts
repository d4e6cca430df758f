import { S3Client } from '@aws-sdk/client-s3';
import { tracer } from '../../observability';

// Path-style addressing where an endpoint is set (the local cloud's S3 serves paths, not bucket host names).
export const s3Client = tracer.captureAWSv3Client(
  new S3Client({ forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined }),
);
