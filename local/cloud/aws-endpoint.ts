/**
 * One HTTP endpoint for every local AWS API except DynamoDB, so all `AWS_ENDPOINT_URL_<SERVICE>` variables can
 * point at it: routes by `X-Amz-Target` prefix (Step Functions, Secrets Manager, EventBridge, KMS, Cognito), by path (Lambda,
 * SES v2 `/v2/email/...`, the `/_local/...` hooks), by `Action` on a form POST signed for SNS, and by the SigV4
 * signing service or bucket name (S3).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StepFunctionsEngine } from '../sfn/service-api';
import { type JsonObject, serveAwsJson } from './aws-json';
import { listen, type RequestHandler, type RunningServer, sendJson } from './http-util';

export interface AwsEndpointOptions {
  port?: number;
  /** The Step Functions engine (AWS JSON 1.0, `AWSStepFunctions.<Action>`). */
  stepFunctions?: Pick<StepFunctionsEngine, 'dispatch'>;
  secretsManager?: { handle: RequestHandler };
  eventBridge?: { handle: RequestHandler };
  lambda?: { handle: RequestHandler };
  /** The local KMS (AWS JSON 1.1, `TrentService.<Action>`): the template's signing keys. */
  kms?: { handle: RequestHandler };
  /** `GET /_local/emails` (the outbox of SES and SNS email). */
  outbox?: { handle: RequestHandler };
  /** SES v2 (REST-JSON, `/v2/email/...`). */
  ses?: { handle: RequestHandler };
  /** SNS (Query protocol). */
  sns?: { handle: RequestHandler };
  /** EventBridge Scheduler hooks (`/_local/schedules`). */
  scheduler?: { handle: RequestHandler };
  /** S3 (REST-XML, path style). */
  s3?: { handle: RequestHandler };
  /**
   * Cognito Identity Provider (AWS JSON 1.1, `AWSCognitoIdentityProviderService.<Action>`): app clients
   * (`cognito-admin.ts`), groups and users (`cognito-users.ts`).
   */
  cognitoIdp?: { handle: RequestHandler };
}

/** The `AWS_ENDPOINT_URL_<SERVICE>` variables that point at this endpoint. */
export function awsEndpointEnvironment(
  awsEndpoint: string,
  dynamodbEndpoint?: string,
): Record<string, string> {
  return {
    // Tells functions they run on the local cloud (e.g. no AWS console links).
    TENGGAT_LOCAL: 'true',
    AWS_ENDPOINT_URL_SFN: awsEndpoint,
    AWS_ENDPOINT_URL_LAMBDA: awsEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: awsEndpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: awsEndpoint,
    AWS_ENDPOINT_URL_KMS: awsEndpoint,
    AWS_ENDPOINT_URL_SESV2: awsEndpoint,
    AWS_ENDPOINT_URL_SNS: awsEndpoint,
    AWS_ENDPOINT_URL_S3: awsEndpoint,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: awsEndpoint,
    ...(dynamodbEndpoint ? { AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint } : {}),
  };
}

export async function startAwsEndpoint(options: AwsEndpointOptions): Promise<RunningServer> {
  const stepFunctions = options.stepFunctions;
  const handlers: RequestHandler[] = [
    async (request: IncomingMessage, response: ServerResponse) => {
      if (request.method === 'GET' && request.url === '/_local/health') {
        sendJson(response, 200, { ok: true });
        return true;
      }
      return false;
    },
  ];
  // Path- and form-routed services first: they never carry X-Amz-Target, and SNS reads the body it takes.
  for (const service of [options.outbox, options.scheduler, options.lambda, options.ses, options.sns]) {
    if (service) handlers.push(service.handle);
  }
  if (stepFunctions) {
    handlers.push((request, response) =>
      serveAwsJson(request, response, 'AWSStepFunctions', 'application/x-amz-json-1.0', (action, input) =>
        stepFunctions.dispatch(action, input as JsonObject),
      ),
    );
  }
  for (const service of [
    options.secretsManager,
    options.eventBridge,
    options.kms,
    options.cognitoIdp,
    options.s3,
  ]) {
    if (service) handlers.push(service.handle);
  }
  handlers.push(async (request, response) => {
    const target = request.headers['x-amz-target'];
    if (!target) return false;
    request.resume();
    sendJson(response, 400, {
      __type: 'UnknownOperationException',
      message: `no local service for ${target}`,
    });
    return true;
  });
  return listen(options.port ?? 0, handlers);
}
