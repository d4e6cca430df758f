import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
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

/** Path parameters are checked the same way as bodies: a missing one is a 404 route, never a crash. */
export function pathParam(event: APIGatewayProxyEvent, name: string): string {
  return event.pathParameters?.[name] ?? '';
}
