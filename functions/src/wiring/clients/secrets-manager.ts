import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { tracer } from '../../observability';

export const secretsManagerClient = tracer.captureAWSv3Client(new SecretsManagerClient({}));
