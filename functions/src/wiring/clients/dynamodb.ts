import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '../../observability';

// One traced client per container, built when a function's wiring first imports this module. Endpoints come from
// the standard AWS_ENDPOINT_URL_<SERVICE> variables, which the SDK reads itself.
export const documentClient = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
  marshallOptions: { removeUndefinedValues: true },
});
