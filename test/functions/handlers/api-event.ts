import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { TestWorld } from '../fakes';
import { POLICY_JSON } from '../policy-fixture';

export const AGENCY_CLIENT = 'client-komdigi';
export const OPERATOR_CLIENT = 'client-operator';
export const OTHER_AGENCY_CLIENT = 'client-polri';
export const AGENCY_CLIENTS = {
  [AGENCY_CLIENT]: 'komdigi-ais',
  [OTHER_AGENCY_CLIENT]: 'polri-siber',
  [OPERATOR_CLIENT]: 'tenggat-operator',
};

/**
 * The environment the CDK stack gives the functions, pointed at nothing. Each handler module wires its own handler
 * from it when it loads; tests then build handlers over the in-memory fakes with `makeHandler`.
 */
export function setFunctionEnv(): void {
  Object.assign(process.env, {
    TABLE_NAME: 'tenggat-test',
    POLICY: POLICY_JSON,
    STATE_MACHINE_ARN: 'arn:aws:states:ap-southeast-3:123456789012:stateMachine:OrderWorkflow',
    EVENT_BUS_NAME: 'tenggat-test-bus',
    AGENCY_CLIENTS: JSON.stringify(AGENCY_CLIENTS),
    PLATFORM_SECRET_PREFIX: 'tenggat/platforms/',
    MAIL_FROM: 'orders@tenggat.test',
    PUBLIC_API_URL: 'https://api.tenggat.test/prod',
    ALLOW_LOOPBACK_WEBHOOKS: 'false',
    BLOCKED_WEBHOOK_PORTS: '',
    INTAKE_BUCKET: 'tenggat-test-reports',
    INTAKE_FUNCTION_NAME: 'tenggat-test-intake',
    MACHINE_USER_POOL_ID: 'ap-southeast-3_TESTPOOL',
    MACHINE_TOKEN_URL: 'https://tenggat-test.auth.ap-southeast-3.amazoncognito.com/oauth2/token',
    STAFF_USER_POOL_ID: 'ap-southeast-3_StaffTest',
    AWS_LAMBDA_FUNCTION_NAME: 'tenggat-test-function',
    AWS_REGION: 'ap-southeast-3',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
  });
}

/** Every function's handler over one world of fakes, as `makeHandler` builds it. */
export async function handlersOver(world: TestWorld) {
  setFunctionEnv();
  const deps = { ...world.deps, agencyClients: AGENCY_CLIENTS };
  return {
    submit: (await import('../../../functions/src/handlers/submit-order')).makeHandler(deps),
    read: (await import('../../../functions/src/handlers/read-orders')).makeHandler(deps),
    withdraw: (await import('../../../functions/src/handlers/withdraw-order')).makeHandler(deps),
    review: (await import('../../../functions/src/handlers/review-items')).makeHandler(deps),
    responses: (await import('../../../functions/src/handlers/platform-responses')).makeHandler(deps),
    operator: (await import('../../../functions/src/handlers/operator')).makeHandler(deps),
    step: (await import('../../../functions/src/handlers/workflow-step')).makeHandler(deps),
    deliver: (await import('../../../functions/src/handlers/deliver-webhook')).makeHandler(deps),
    clarifications: (await import('../../../functions/src/handlers/clarifications')).makeHandler(deps),
    email: (await import('../../../functions/src/handlers/email-notice')).makeHandler(deps),
    reconcile: (await import('../../../functions/src/handlers/reconcile-executions')).makeHandler(deps),
  };
}

export const lambdaContext = {
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:ap-southeast-3:123456789012:function:test',
  memoryLimitInMB: '256',
  awsRequestId: 'request-1',
  logGroupName: '/aws/lambda/test',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 30_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
} as unknown as Context;

export function apiEvent(input: {
  method: string;
  resource: string;
  pathParameters?: Record<string, string>;
  body?: string | null;
  headers?: Record<string, string>;
  clientId?: string | null;
  scope?: string;
  query?: Record<string, string>;
  /** Extra claims, e.g. a person's `username` and `cognito:groups` (strings, as API Gateway passes them). */
  claims?: Record<string, string>;
}): APIGatewayProxyEvent {
  const clientId = input.clientId === undefined ? AGENCY_CLIENT : input.clientId;
  return {
    httpMethod: input.method,
    resource: input.resource,
    path: input.resource,
    pathParameters: input.pathParameters ?? null,
    queryStringParameters: input.query ?? null,
    multiValueQueryStringParameters: null,
    headers: { 'content-type': 'application/json', ...(input.headers ?? {}) },
    multiValueHeaders: {},
    body: input.body ?? null,
    isBase64Encoded: false,
    stageVariables: null,
    requestContext: {
      authorizer:
        clientId === null
          ? null
          : {
              claims: {
                client_id: clientId,
                scope: input.scope ?? 'takedown/read takedown/write',
                sub: clientId,
                token_use: 'access',
                ...(input.claims ?? {}),
              },
            },
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}
