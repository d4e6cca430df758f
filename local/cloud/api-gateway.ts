/**
 * Serves a template's REST API as API Gateway would: routes, Lambda proxy integration (payload 1.0), the Cognito
 * user pools authorizer with per-method scopes, gateway responses, payload and integration limits, and a per-client
 * token-bucket rate limit.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWTPayload } from 'jose';
import { BodyTooLargeError, readBody } from './http-util';
import type { InvokeResult } from './lambda-service';
import { type ApiMethodSpec, LOCAL_ACCOUNT_ID, type RestApiSpec } from './template';

/** API Gateway's REST API payload limit (10 MB). */
export const API_PAYLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

export class ApiGatewayError extends Error {
  constructor(
    readonly responseType: string,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.name = 'ApiGatewayError';
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
  readonly retryAfterSeconds: number | undefined;
}

/** Default status codes and `x-amzn-ErrorType` of API Gateway's response types. */
const RESPONSE_TYPES: Record<string, { status: number; errorType: string }> = {
  UNAUTHORIZED: { status: 401, errorType: 'UnauthorizedException' },
  ACCESS_DENIED: { status: 403, errorType: 'AccessDeniedException' },
  MISSING_AUTHENTICATION_TOKEN: { status: 403, errorType: 'MissingAuthenticationTokenException' },
  EXPIRED_TOKEN: { status: 403, errorType: 'ExpiredTokenException' },
  RESOURCE_NOT_FOUND: { status: 404, errorType: 'NotFoundException' },
  REQUEST_TOO_LARGE: { status: 413, errorType: 'RequestTooLargeException' },
  THROTTLED: { status: 429, errorType: 'TooManyRequestsException' },
  BAD_REQUEST_BODY: { status: 400, errorType: 'BadRequestException' },
  BAD_REQUEST_PARAMETERS: { status: 400, errorType: 'BadRequestException' },
  AUTHORIZER_CONFIGURATION_ERROR: { status: 500, errorType: 'AuthorizerConfigurationException' },
  API_CONFIGURATION_ERROR: { status: 500, errorType: 'InternalServerErrorException' },
  INTEGRATION_FAILURE: { status: 502, errorType: 'InternalServerErrorException' },
  INTEGRATION_TIMEOUT: { status: 504, errorType: 'InternalServerErrorException' },
};

export interface RateLimit {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Bucket size. */
  burst: number;
}

export interface ApiGatewayOptions {
  api: RestApiSpec;
  /** Invokes a function synchronously (the local Lambda service). */
  invoke(functionName: string, payload: string): Promise<InvokeResult>;
  /** Verifies a Cognito access token against the given pools; throws when invalid or expired. */
  verifyAccessToken(token: string, userPoolLogicalIds: string[]): Promise<JWTPayload>;
  rateLimit?: RateLimit;
  /** Overrides the 29 s integration timeout of every method (tests). */
  integrationTimeoutMillis?: number;
  /** Called once per request with a short access-log line. */
  onRequest?: (line: string) => void;
}

export interface ApiGateway {
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
}

interface Route {
  method: ApiMethodSpec;
  segments: string[];
}

interface Match {
  method: ApiMethodSpec;
  pathParameters: Record<string, string> | null;
}

/** Splits `/a/{b}/{proxy+}` into segments; the root is `[]`. */
const segmentsOf = (path: string) => path.split('/').filter(Boolean);

/** A path segment as text; a malformed percent-encoding (`%ED%A0%80`, `%FF`) is the client's error. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (cause) {
    throw new ApiGatewayError('BAD_REQUEST_PARAMETERS', 'Invalid request path', { cause });
  }
}

function matchRoute(routes: Route[], httpMethod: string, segments: string[]): Match | undefined {
  let best: { match: Match; score: number[] } | undefined;
  for (const route of routes) {
    if (route.method.httpMethod !== httpMethod && route.method.httpMethod !== 'ANY') continue;
    const parameters: Record<string, string> = Object.create(null);
    const score: number[] = [];
    let matched = true;
    for (let i = 0; i < route.segments.length; i++) {
      const pattern = route.segments[i] ?? '';
      const greedy = /^\{(.+)\+\}$/.exec(pattern);
      if (greedy?.[1]) {
        if (i >= segments.length) matched = false;
        else parameters[greedy[1]] = segments.slice(i).map(decodePathSegment).join('/');
        score.push(0);
        break;
      }
      const segment = segments[i];
      if (segment === undefined) {
        matched = false;
        break;
      }
      const parameter = /^\{(.+)\}$/.exec(pattern);
      if (parameter?.[1]) {
        parameters[parameter[1]] = decodePathSegment(segment);
        score.push(1);
      } else if (pattern === segment) {
        score.push(2);
      } else {
        matched = false;
        break;
      }
    }
    const greedyRoute = route.segments.some((s) => s.endsWith('+}'));
    if (!matched || (!greedyRoute && route.segments.length !== segments.length)) continue;
    // Exact method beats ANY; then literal segments beat parameters beat greedy, left to right.
    score.push(route.method.httpMethod === httpMethod ? 1 : 0);
    const better = !best || compareScores(score, best.score) > 0;
    if (better) {
      best = {
        match: { method: route.method, pathParameters: Object.keys(parameters).length ? parameters : null },
        score,
      };
    }
  }
  return best?.match;
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? -1) - (b[i] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}

export function createApiGateway(options: ApiGatewayOptions): ApiGateway {
  const { api } = options;
  const routes: Route[] = api.methods.map((method) => ({
    method,
    segments: segmentsOf(method.resourcePath),
  }));
  const stage = api.stageNames[0] ?? 'prod';
  const buckets = new Map<string, { tokens: number; updated: number }>();

  const takeToken = (key: string): number | undefined => {
    const limit = options.rateLimit;
    if (!limit) return undefined;
    const now = Date.now();
    const bucket = buckets.get(key) ?? { tokens: limit.burst, updated: now };
    bucket.tokens = Math.min(
      limit.burst,
      bucket.tokens + ((now - bucket.updated) / 1000) * limit.ratePerSecond,
    );
    bucket.updated = now;
    buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / limit.ratePerSecond));
  };

  const gatewayResponse = (
    request: IncomingMessage,
    response: ServerResponse,
    error: ApiGatewayError,
    context: Record<string, string>,
  ) => {
    const known = RESPONSE_TYPES[error.responseType] ?? {
      status: 500,
      errorType: 'InternalServerErrorException',
    };
    const family = known.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
    const specific = api.gatewayResponses.find((r) => r.responseType === error.responseType);
    const fallback = api.gatewayResponses.find((r) => r.responseType === family);
    const status = specific?.statusCode ?? known.status;
    const source = specific ?? fallback;
    const variables: Record<string, string> = {
      ...context,
      'context.error.message': error.message,
      'context.error.messageString': JSON.stringify(error.message),
      'context.error.responseType': error.responseType,
    };
    const render = (text: string) =>
      text.replace(
        /\$(?:\{(context\.[\w.]+)\}|(context\.[\w.]+))/g,
        (match, braced?: string, bare?: string) => {
          const key = braced ?? bare ?? '';
          return variables[key] ?? (key.startsWith('context.') ? '' : match);
        },
      );
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-amzn-requestid': context['context.requestId'] ?? '',
      'x-amzn-errortype': known.errorType,
    };
    for (const [name, value] of Object.entries(source?.headers ?? {})) {
      const fromRequest = /^method\.request\.header\.(.+)$/.exec(value);
      headers[name.toLowerCase()] = fromRequest?.[1]
        ? String(request.headers[fromRequest[1].toLowerCase()] ?? '')
        : render(value);
    }
    if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
    const template = source?.templates['application/json'];
    const body = template !== undefined ? render(template) : JSON.stringify({ message: error.message });
    response.writeHead(status, headers);
    response.end(body);
    return status;
  };

  const handle: ApiGateway['handle'] = async (request, response) => {
    const started = Date.now();
    const requestId = randomUUID();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const httpMethod = (request.method ?? 'GET').toUpperCase();
    let segments = segmentsOf(url.pathname);
    let requestStage = stage;
    // Accept both `/prod/v1/...` (as on execute-api) and `/v1/...`.
    if (segments[0] !== undefined && api.stageNames.includes(segments[0])) {
      requestStage = segments[0];
      segments = segments.slice(1);
    }
    const path = `/${segments.join('/')}`;
    const sourceIp = (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    const context: Record<string, string> = {
      'context.requestId': requestId,
      'context.extendedRequestId': requestId,
      'context.path': `/${requestStage}${path}`,
      'context.httpMethod': httpMethod,
      'context.stage': requestStage,
      'context.apiId': api.id,
      'context.accountId': LOCAL_ACCOUNT_ID,
      'context.identity.sourceIp': sourceIp,
      'context.requestTimeEpoch': String(started),
    };
    let status = 0;
    try {
      const match = matchRoute(routes, httpMethod, segments);
      if (!match) throw new ApiGatewayError('MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token');
      context['context.resourcePath'] = match.method.resourcePath;

      let claims: JWTPayload | undefined;
      if (match.method.authorizationType === 'COGNITO_USER_POOLS') {
        claims = await authorize(request, match.method);
      }
      const throttleKey =
        typeof claims?.client_id === 'string' ? `client:${claims.client_id}` : `ip:${sourceIp}`;
      const retryAfter = takeToken(throttleKey);
      if (retryAfter !== undefined) {
        throw new ApiGatewayError('THROTTLED', 'Too Many Requests', { retryAfterSeconds: retryAfter });
      }

      let body: Buffer;
      try {
        body = await readBody(request, API_PAYLOAD_LIMIT_BYTES);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          throw new ApiGatewayError('REQUEST_TOO_LARGE', 'Request Too Long', { cause: error });
        }
        throw error;
      }
      const integration = match.method.integration;
      if (integration.type === 'MOCK') {
        response.writeHead(integration.statusCode, {
          'content-type': 'application/json',
          ...integration.headers,
        });
        response.end(integration.body);
        status = integration.statusCode;
        return true;
      }
      if (integration.type !== 'AWS_PROXY') {
        throw new ApiGatewayError(
          'API_CONFIGURATION_ERROR',
          `Unsupported integration: ${integration.description}`,
        );
      }
      const event = buildProxyEvent(request, url, {
        method: match.method,
        path,
        pathParameters: match.pathParameters,
        body,
        requestId,
        stage: requestStage,
        apiId: api.id,
        sourceIp,
        claims,
        started,
      });
      const timeoutMillis = options.integrationTimeoutMillis ?? integration.timeoutMillis;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new ApiGatewayError('INTEGRATION_TIMEOUT', 'Endpoint request timed out')),
          timeoutMillis,
        );
      });
      let result: InvokeResult;
      try {
        result = await Promise.race([
          options.invoke(integration.functionName, JSON.stringify(event)),
          timeout,
        ]);
      } catch (error) {
        if (error instanceof ApiGatewayError) throw error;
        const code = (error as { code?: string }).code;
        if (code === 'RequestEntityTooLargeException') {
          throw new ApiGatewayError('REQUEST_TOO_LARGE', 'Request Too Long', { cause: error });
        }
        throw new ApiGatewayError('INTEGRATION_FAILURE', 'Internal server error', { cause: error });
      } finally {
        clearTimeout(timer);
      }
      status = writeProxyResult(response, result, requestId);
      if (status === 0) throw new ApiGatewayError('INTEGRATION_FAILURE', 'Internal server error');
      return true;
    } catch (error) {
      const apiError =
        error instanceof ApiGatewayError
          ? error
          : new ApiGatewayError('API_CONFIGURATION_ERROR', 'Internal server error', { cause: error });
      // Drain an unread body so the client sees the answer rather than a reset.
      request.resume();
      status = gatewayResponse(request, response, apiError, context);
      return true;
    } finally {
      options.onRequest?.(`${httpMethod} ${url.pathname} ${status} ${Date.now() - started}ms ${requestId}`);
    }
  };

  const authorize = async (request: IncomingMessage, method: ApiMethodSpec): Promise<JWTPayload> => {
    const header = method.authorizer?.identitySourceHeader ?? 'Authorization';
    const raw = request.headers[header.toLowerCase()];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (!value) throw new ApiGatewayError('UNAUTHORIZED', 'Unauthorized');
    const token = value.replace(/^Bearer\s+/i, '').trim();
    let claims: JWTPayload;
    try {
      claims = await options.verifyAccessToken(token, method.authorizer?.userPoolLogicalIds ?? []);
    } catch (error) {
      const expired = (error as { code?: string }).code === 'ERR_JWT_EXPIRED';
      throw new ApiGatewayError('UNAUTHORIZED', expired ? 'The incoming token has expired' : 'Unauthorized', {
        cause: error,
      });
    }
    // Like API Gateway: with scopes on the method, the access token must carry at least one of them.
    if (method.authorizationScopes.length > 0) {
      const granted = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
      if (!method.authorizationScopes.some((scope) => granted.includes(scope))) {
        throw new ApiGatewayError('UNAUTHORIZED', 'Unauthorized');
      }
    }
    return claims;
  };

  return { handle };
}

interface EventInput {
  method: ApiMethodSpec;
  path: string;
  pathParameters: Record<string, string> | null;
  body: Buffer;
  requestId: string;
  stage: string;
  apiId: string;
  sourceIp: string;
  claims: JWTPayload | undefined;
  started: number;
}

/** The Lambda proxy integration event, payload format 1.0. */
export function buildProxyEvent(
  request: IncomingMessage,
  url: URL,
  input: EventInput,
): Record<string, unknown> {
  // No prototype: a header or query parameter named `__proto__` is data like any other name.
  const headers: Record<string, string> = Object.create(null);
  const multiValueHeaders: Record<string, string[]> = Object.create(null);
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] ?? '';
    const value = request.rawHeaders[i + 1] ?? '';
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const query: Record<string, string> = Object.create(null);
  const multiValueQuery: Record<string, string[]> = Object.create(null);
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    multiValueQuery[name] = [...(multiValueQuery[name] ?? []), value];
  }
  const hasQuery = Object.keys(query).length > 0;
  const claims = input.claims
    ? Object.fromEntries(Object.entries(input.claims).map(([key, value]) => [key, String(value)]))
    : undefined;
  return {
    resource: input.method.resourcePath,
    path: input.path,
    httpMethod: (request.method ?? 'GET').toUpperCase(),
    headers: Object.keys(headers).length ? headers : null,
    multiValueHeaders: Object.keys(multiValueHeaders).length ? multiValueHeaders : null,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
    pathParameters: input.pathParameters,
    stageVariables: null,
    requestContext: {
      resourceId: input.method.resourcePath,
      resourcePath: input.method.resourcePath,
      httpMethod: (request.method ?? 'GET').toUpperCase(),
      extendedRequestId: input.requestId,
      requestTime: new Date(input.started).toUTCString(),
      path: `/${input.stage}${input.path}`,
      accountId: LOCAL_ACCOUNT_ID,
      protocol: `HTTP/${request.httpVersion}`,
      stage: input.stage,
      domainPrefix: 'localhost',
      requestTimeEpoch: input.started,
      requestId: input.requestId,
      identity: {
        cognitoIdentityPoolId: null,
        accountId: null,
        cognitoIdentityId: null,
        caller: null,
        sourceIp: input.sourceIp,
        principalOrgId: null,
        accessKey: null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: null,
        userAgent: request.headers['user-agent'] ?? null,
        user: null,
      },
      domainName: request.headers.host ?? 'localhost',
      apiId: input.apiId,
      ...(claims ? { authorizer: { claims } } : {}),
    },
    body: input.body.length > 0 ? input.body.toString('utf8') : null,
    isBase64Encoded: false,
  };
}

/** Writes a proxy integration result; returns 0 (and writes nothing) when the result is malformed or an error. */
function writeProxyResult(response: ServerResponse, result: InvokeResult, requestId: string): number {
  if (result.functionError) return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.payload.toString('utf8'));
  } catch {
    return 0;
  }
  if (typeof parsed !== 'object' || parsed === null) return 0;
  const proxy = parsed as {
    statusCode?: unknown;
    headers?: Record<string, unknown>;
    multiValueHeaders?: Record<string, unknown[]>;
    body?: unknown;
    isBase64Encoded?: unknown;
  };
  const statusCode = Number(proxy.statusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return 0;
  const headers: Record<string, string | string[]> = { 'x-amzn-requestid': requestId };
  for (const [name, value] of Object.entries(proxy.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  for (const [name, values] of Object.entries(proxy.multiValueHeaders ?? {})) {
    if (Array.isArray(values)) headers[name.toLowerCase()] = values.map(String);
  }
  if (headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  const body =
    typeof proxy.body === 'string'
      ? proxy.isBase64Encoded === true
        ? Buffer.from(proxy.body, 'base64')
        : Buffer.from(proxy.body)
      : Buffer.alloc(0);
  response.writeHead(statusCode, headers);
  response.end(body);
  return statusCode;
}
