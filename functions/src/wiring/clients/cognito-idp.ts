import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { tracer } from '../../observability';

export const cognitoIdpClient = tracer.captureAWSv3Client(new CognitoIdentityProviderClient({}));
