import { SESv2Client } from '@aws-sdk/client-sesv2';
import { tracer } from '../../observability';

export const sesClient = tracer.captureAWSv3Client(new SESv2Client({}));
