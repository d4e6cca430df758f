import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { NotFoundError } from '../domain/errors';
import { logger, metrics, tracer } from '../observability';
import { countResponses, type HttpEvent, jsonBody, problemErrors } from './middleware';
import { type Route, routeTo } from './router';

/** The shared middy stack of every API function: observability, body limits, JSON, problem documents, routes. */
export function apiHandler<D>(routes: readonly Route<D>[], deps: D) {
  const route = routeTo(routes, deps);
  return (
    middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
      .use(captureLambdaHandler(tracer, { captureResponse: false }))
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(logMetrics(metrics))
      // Registered before problemErrors so that, running in reverse on errors, it sees the problem's status.
      .use(countResponses(metrics))
      .use(problemErrors(logger))
      .use(jsonBody())
      .use(requestLog(logger))
      .handler((event) => route(event as HttpEvent))
  );
}

const PATH_ID = /^[A-Za-z0-9_-]{1,80}$/;
const LOGGED_PATH_KEYS: Readonly<Record<string, string>> = { id: 'orderId', platformId: 'platformId' };

/**
 * Puts the route and the ids of its path (the order id, the platform id) into every log line of the request, and
 * logs one line when it is answered; refusals are logged by `problemErrors`. Never bodies.
 */
function requestLog(log: Logger): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  return {
    before: (request) => {
      const keys: Record<string, string> = { route: `${request.event.httpMethod} ${request.event.resource}` };
      for (const [name, value] of Object.entries(request.event.pathParameters ?? {})) {
        const key = LOGGED_PATH_KEYS[name];
        if (key !== undefined && value !== undefined && PATH_ID.test(value)) keys[key] = value;
      }
      log.appendKeys(keys);
    },
    after: (request) => {
      log.info('request answered', { status: request.response?.statusCode });
    },
  };
}

/**
 * Path parameters name things we store as keys: anything that could not be one of our ids (too long for a DynamoDB
 * key, odd characters) cannot exist, so it is a 404 rather than a database error.
 */
export function pathParam(event: APIGatewayProxyEvent, name: string): string {
  const value = event.pathParameters?.[name] ?? '';
  if (!PATH_ID.test(value)) throw new NotFoundError(`no ${name} "${value.slice(0, 80)}"`);
  return value;
}
