import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { NotFoundError } from '../domain/errors';
import { logger, metrics, tracer } from '../observability';
import { countResponses, type HttpEvent, jsonBody, problemErrors } from './middleware';

/** The shared middy stack of every API function: observability, body limits, JSON, problem documents. */
export function apiHandler(handle: (event: HttpEvent, context: Context) => Promise<APIGatewayProxyResult>) {
  return (
    middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
      .use(captureLambdaHandler(tracer, { captureResponse: false }))
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(logMetrics(metrics))
      // Registered before problemErrors so that, running in reverse on errors, it sees the problem's status.
      .use(countResponses(metrics))
      .use(problemErrors(logger))
      .use(jsonBody())
      .handler((event, context) => handle(event as HttpEvent, context))
  );
}

const PATH_ID = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * Path parameters name things we store as keys: anything that could not be one of our ids (too long for a DynamoDB
 * key, odd characters) cannot exist, so it is a 404 rather than a database error.
 */
export function pathParam(event: APIGatewayProxyEvent, name: string): string {
  const value = event.pathParameters?.[name] ?? '';
  if (!PATH_ID.test(value)) throw new NotFoundError(`no ${name} "${value.slice(0, 80)}"`);
  return value;
}
