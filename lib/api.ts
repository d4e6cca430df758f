import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  type CfnRestApi,
  CognitoUserPoolsAuthorizer,
  EndpointType,
  type IResource,
  LambdaIntegration,
  LogGroupLogDestination,
  type Method,
  MethodLoggingLevel,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionId } from './functions';
import { SCOPES } from './identity';
import { acknowledgeNagFinding } from './nag';

export const API_LOGICAL_ID = 'TenggatApi';
/** Base of the `type` URIs of problem documents; the handlers use the same base for their own problems. */
export const PROBLEM_TYPE_BASE = 'https://tenggat.dev/problems/';

/** `public`: no authentication at all (letter verification answers ids and times only). */
/** `platform`: a platform's staff or its own app clients (scope `takedown/platform`); tenancy in the handler. */
type Access = 'read' | 'write' | 'admin' | 'platform' | 'webhookSignature' | 'public';
interface Route {
  readonly path: string;
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly functionId: FunctionId;
  readonly access: Access;
}

/** Every route of the HTTP contract with its handler and who may call it. */
export const ROUTES: readonly Route[] = [
  { path: '/v1/takedown-requests', method: 'POST', functionId: 'SubmitOrderFunction', access: 'write' },
  { path: '/v1/takedown-requests', method: 'GET', functionId: 'ReadOrdersFunction', access: 'read' },
  { path: '/v1/takedown-requests/{id}', method: 'GET', functionId: 'ReadOrdersFunction', access: 'read' },
  {
    path: '/v1/takedown-requests/{id}/items',
    method: 'GET',
    functionId: 'ReadOrdersFunction',
    access: 'read',
  },
  {
    path: '/v1/takedown-requests/{id}/audit',
    method: 'GET',
    functionId: 'ReadOrdersFunction',
    access: 'read',
  },
  {
    path: '/v1/takedown-requests/{id}/withdrawal',
    method: 'POST',
    functionId: 'WithdrawOrderFunction',
    access: 'write',
  },
  {
    path: '/v1/takedown-requests/{id}/review',
    method: 'POST',
    functionId: 'ReviewItemsFunction',
    access: 'write',
  },
  {
    path: '/v1/takedown-requests/{id}/clarifications',
    method: 'POST',
    functionId: 'ClarificationsFunction',
    access: 'write',
  },
  {
    path: '/v1/takedown-requests/{id}/redelivery',
    method: 'POST',
    functionId: 'OperatorFunction',
    access: 'admin',
  },
  {
    path: '/v1/takedown-requests/{id}/personal-data-erasure',
    method: 'POST',
    functionId: 'OperatorFunction',
    access: 'admin',
  },
  {
    path: '/v1/takedown-requests/{id}/execution',
    method: 'GET',
    functionId: 'OperatorFunction',
    access: 'admin',
  },
  { path: '/v1/platforms', method: 'POST', functionId: 'OperatorFunction', access: 'admin' },
  { path: '/v1/platforms', method: 'GET', functionId: 'OperatorFunction', access: 'admin' },
  { path: '/v1/platforms/{platformId}', method: 'GET', functionId: 'OperatorFunction', access: 'admin' },
  {
    path: '/v1/platforms/{platformId}/secret-rotation',
    method: 'POST',
    functionId: 'OperatorFunction',
    access: 'admin',
  },
  {
    path: '/v1/platforms/{platformId}/users',
    method: 'POST',
    functionId: 'OperatorFunction',
    access: 'admin',
  },
  {
    path: '/v1/platforms/{platformId}/responses',
    method: 'POST',
    functionId: 'PlatformResponsesFunction',
    access: 'webhookSignature',
  },
  // The platform-side API (issue 9): platforms without an integration read and answer with a token.
  {
    path: '/v1/platforms/{platformId}/orders',
    method: 'GET',
    functionId: 'PlatformApiFunction',
    access: 'platform',
  },
  {
    path: '/v1/platforms/{platformId}/orders/{id}',
    method: 'GET',
    functionId: 'PlatformApiFunction',
    access: 'platform',
  },
  {
    path: '/v1/platforms/{platformId}/orders/{id}/items',
    method: 'GET',
    functionId: 'PlatformApiFunction',
    access: 'platform',
  },
  {
    path: '/v1/platforms/{platformId}/orders/{id}/answers',
    method: 'POST',
    functionId: 'PlatformApiFunction',
    access: 'platform',
  },
  {
    path: '/v1/platforms/{platformId}/orders/{id}/clarification-requests',
    method: 'POST',
    functionId: 'PlatformApiFunction',
    access: 'platform',
  },
  // Reports: operators (takedown/admin, which their clients hold with read) see all, agencies their own.
  { path: '/v1/statistics', method: 'GET', functionId: 'ReportsFunction', access: 'read' },
  { path: '/v1/exports/orders.csv', method: 'GET', functionId: 'ReportsFunction', access: 'read' },
  { path: '/v1/exports/dsa-statements', method: 'GET', functionId: 'ReportsFunction', access: 'read' },
  { path: '/v1/exports/authority-report', method: 'GET', functionId: 'ReportsFunction', access: 'read' },
  {
    path: '/v1/takedown-requests/{id}/letters/{stage}',
    method: 'GET',
    functionId: 'ReportsFunction',
    access: 'read',
  },
  { path: '/v1/verify/{sha256}', method: 'GET', functionId: 'ReportsFunction', access: 'public' },
  { path: '/v1/subscriptions', method: 'POST', functionId: 'SubscriptionsFunction', access: 'write' },
  { path: '/v1/subscriptions', method: 'GET', functionId: 'SubscriptionsFunction', access: 'read' },
  { path: '/v1/subscriptions/{id}', method: 'GET', functionId: 'SubscriptionsFunction', access: 'read' },
  { path: '/v1/subscriptions/{id}', method: 'DELETE', functionId: 'SubscriptionsFunction', access: 'write' },
];

/** Responses API Gateway passes as bytes when the client accepts them (letters are returned base64 encoded). */
export const BINARY_MEDIA_TYPES = ['application/pdf'];

const SCOPE_BY_ACCESS: Record<Exclude<Access, 'webhookSignature' | 'public'>, string> = {
  read: SCOPES.read,
  write: SCOPES.write,
  admin: SCOPES.admin,
  platform: SCOPES.platform,
};

interface GatewayProblem {
  readonly type: ResponseType;
  readonly status: number;
  readonly kind: string;
  readonly title: string;
  readonly headers?: Record<string, string>;
}

// Errors API Gateway answers itself (before any Lambda runs) still reach clients as RFC 9457 problem documents.
const GATEWAY_PROBLEMS: readonly GatewayProblem[] = [
  { type: ResponseType.UNAUTHORIZED, status: 401, kind: 'unauthorized', title: 'Missing or invalid token' },
  {
    type: ResponseType.ACCESS_DENIED,
    status: 403,
    kind: 'forbidden',
    title: 'The token lacks the needed scope',
  },
  { type: ResponseType.MISSING_AUTHENTICATION_TOKEN, status: 404, kind: 'not-found', title: 'No such route' },
  {
    type: ResponseType.REQUEST_TOO_LARGE,
    status: 413,
    kind: 'payload-too-large',
    title: 'Request body too large',
  },
  {
    type: ResponseType.THROTTLED,
    status: 429,
    kind: 'too-many-requests',
    title: 'Too many requests',
    headers: { 'Retry-After': "'1'" },
  },
  {
    type: ResponseType.QUOTA_EXCEEDED,
    status: 429,
    kind: 'too-many-requests',
    title: 'Quota exceeded',
    headers: { 'Retry-After': "'60'" },
  },
  { type: ResponseType.DEFAULT_4XX, status: 400, kind: 'bad-request', title: 'Bad request' },
  {
    type: ResponseType.DEFAULT_5XX,
    status: 502,
    kind: 'upstream-error',
    title: 'The service failed to answer',
  },
];

function problemTemplate(problem: GatewayProblem, includeStatus: boolean): string {
  // `$context.error.messageString` is already a quoted JSON string. DEFAULT_* keep the status API Gateway chose,
  // which the template cannot read, so those omit the (optional) `status` member.
  return [
    '{',
    `"type":"${PROBLEM_TYPE_BASE}${problem.kind}",`,
    `"title":"${problem.title}",`,
    includeStatus ? `"status":${problem.status},` : '',
    '"detail":$context.error.messageString,',
    '"requestId":"$context.requestId"',
    '}',
  ].join('');
}

export interface TenggatApiProps {
  /** Handlers by contract id. */
  readonly functions: ReadonlyMap<FunctionId, IFunction>;
  /** User pool whose access tokens authorize agencies and operators. */
  readonly userPool: IUserPool;
  /** User pool of people (the console's tokens): operators, agency officers, platform staff. */
  readonly staffUserPool: IUserPool;
  /** Customer-managed key for the access log group. */
  readonly encryptionKey: IKey;
  /**
   * Stage name.
   * @default 'prod'
   */
  readonly stageName?: string;
  /**
   * Steady-state requests per second across the stage.
   * @default 50
   */
  readonly throttlingRateLimit?: number;
  /**
   * Burst of requests allowed across the stage.
   * @default 100
   */
  readonly throttlingBurstLimit?: number;
  /**
   * How long access logs are kept.
   * @default RetentionDays.ONE_YEAR
   */
  readonly accessLogRetention?: RetentionDays;
}

/** REST API `TenggatApi`: the agency, platform and operator routes of the HTTP contract. */
export class TenggatApi extends Construct {
  readonly restApi: RestApi;
  readonly accessLogGroup: LogGroup;
  /** The stage name as a plain string (the stage's own `stageName` is a token). */
  readonly stageName: string;
  /** Methods by `"<METHOD> <path>"`, e.g. `"POST /v1/takedown-requests"`. */
  readonly methods: ReadonlyMap<string, Method>;

  constructor(scope: Construct, id: string, props: TenggatApiProps) {
    super(scope, id);
    this.stageName = props.stageName ?? 'prod';
    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.ONE_YEAR,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.restApi = new RestApi(this, 'RestApi', {
      restApiName: 'TenggatApi',
      description: 'Tenggat: takedown orders from agencies to platforms, with legal deadlines',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      binaryMediaTypes: BINARY_MEDIA_TYPES,
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: this.stageName,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: MethodLoggingLevel.ERROR,
        // Request and response bodies carry locators and personal data: never log them.
        dataTraceEnabled: false,
        throttlingRateLimit: props.throttlingRateLimit ?? 50,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 100,
        accessLogDestination: new LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields({
          caller: false,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
      },
    });
    (this.restApi.node.defaultChild as CfnRestApi).overrideLogicalId(API_LOGICAL_ID);
    acknowledgeNagFinding(
      this.restApi,
      'APIG2',
      'Bodies and parameters are validated in each handler with zod, which answers RFC 9457 problem documents ' +
        'naming each field (400 malformed, 422 invalid); an API Gateway validator would answer its own format first.',
    );
    acknowledgeNagFinding(
      this.restApi,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'Account-level role that lets API Gateway write execution logs; AWS documents this managed policy for ' +
        'it and it grants only CloudWatch Logs actions.',
    );

    const authorizer = new CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      // Machines' client-credentials tokens and people's console tokens alike; handlers tell them apart.
      cognitoUserPools: [props.userPool, props.staffUserPool],
      authorizerName: 'TenggatCognito',
      identitySource: 'method.request.header.Authorization',
    });

    for (const problem of GATEWAY_PROBLEMS) {
      const isDefault =
        problem.type === ResponseType.DEFAULT_4XX || problem.type === ResponseType.DEFAULT_5XX;
      this.restApi.addGatewayResponse(`${problem.kind}-${problem.status}-${problem.type.responseType}`, {
        type: problem.type,
        // DEFAULT_* keep the status API Gateway chose (e.g. 400, 415, 504); the others are fixed.
        statusCode: isDefault ? undefined : String(problem.status),
        responseHeaders: { 'Content-Type': "'application/problem+json'", ...problem.headers },
        templates: { 'application/json': problemTemplate(problem, !isDefault) },
      });
    }

    const integrations = new Map<FunctionId, LambdaIntegration>();
    const methods = new Map<string, Method>();
    for (const route of ROUTES) {
      const fn = props.functions.get(route.functionId);
      if (!fn) throw new MissingRouteHandlerError(route.functionId);
      let integration = integrations.get(route.functionId);
      if (!integration) {
        integration = new LambdaIntegration(fn, { proxy: true, allowTestInvoke: false });
        integrations.set(route.functionId, integration);
      }
      const resource = this.resourceFor(route.path);
      let method: Method;
      if (route.access === 'webhookSignature') {
        method = resource.addMethod(route.method, integration, { authorizationType: AuthorizationType.NONE });
        const reason =
          'Platforms are not Cognito clients: they sign each call with their Standard Webhooks responseSecret ' +
          '(HMAC-SHA256, 5-minute timestamp window, webhook-id replay check), verified by the handler before any write.';
        acknowledgeNagFinding(method, 'APIG4', reason);
        acknowledgeNagFinding(method, 'COG4', reason);
      } else if (route.access === 'public') {
        method = resource.addMethod(route.method, integration, { authorizationType: AuthorizationType.NONE });
        const reason =
          'Anyone holding a letter must be able to check it: the answer names the order id, the stage and times, ' +
          'no content and no personal data; the WAF rate limits apply.';
        acknowledgeNagFinding(method, 'APIG4', reason);
        acknowledgeNagFinding(method, 'COG4', reason);
      } else {
        method = resource.addMethod(route.method, integration, {
          authorizationType: AuthorizationType.COGNITO,
          authorizer,
          authorizationScopes: [SCOPE_BY_ACCESS[route.access]],
        });
      }
      methods.set(`${route.method} ${route.path}`, method);
    }
    this.methods = methods;
  }

  private resourceFor(path: string): IResource {
    let resource: IResource = this.restApi.root;
    for (const part of path.split('/').filter((segment) => segment.length > 0)) {
      resource = resource.getResource(part) ?? resource.addResource(part);
    }
    return resource;
  }
}

/** A route names a function id that was not built. */
export class MissingRouteHandlerError extends Error {
  constructor(functionId: string) {
    super(`No function ${functionId} for an API route`);
    this.name = 'MissingRouteHandlerError';
  }
}
