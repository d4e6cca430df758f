import { KMSClient } from '@aws-sdk/client-kms';
import { tracer } from '../../observability';

export const kmsClient = tracer.captureAWSv3Client(new KMSClient({}));
