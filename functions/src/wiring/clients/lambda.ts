import { LambdaClient } from '@aws-sdk/client-lambda';
import { tracer } from '../../observability';

export const lambdaClient = tracer.captureAWSv3Client(new LambdaClient({}));
