import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { z } from 'zod';
import { MalformedJsonError, PayloadTooLargeError, ValidationError } from './errors';
import { fieldErrorsOf, problem, problemFor, problemResponse } from './problems';

export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The API event after the JSON body middleware: `rawBody` is the exact text (signatures need it). */
export type HttpEvent = APIGatewayProxyEvent & { rawBody: string; jsonBody: unknown };

/** Reads the body once: too large → 413, not JSON → 400; an absent body parses as undefined. */
export function jsonBody(
  maxBytes = MAX_BODY_BYTES,
): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  return {
    before: (request) => {
      const event = request.event as HttpEvent;
      const body = event.body ?? '';
      const raw = event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
      if (Buffer.byteLength(raw, 'utf8') > maxBytes) {
        throw new PayloadTooLargeError(`the body is larger than ${maxBytes} bytes`);
      }
      event.rawBody = raw;
      if (raw.trim() === '') {
        event.jsonBody = undefined;
        return;
      }
      try {
        event.jsonBody = JSON.parse(raw);
      } catch (cause) {
        throw new MalformedJsonError('the body is not valid JSON', { cause });
      }
    },
  };
}

/** Parses with a zod schema; every broken or unknown field is named in the 422. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(fieldErrorsOf(result.error), { cause: result.error });
  return result.data;
}

/** Named errors become their problem document; anything else a 500 that reveals nothing. */
export function problemErrors(
  logger: Logger,
): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  return {
    onError: (request) => {
      const mapped = problemFor(request.error);
      if (mapped !== null) {
        logger.info('request refused', { status: mapped.problem.status, type: mapped.problem.type });
        request.response = problemResponse(mapped.problem, mapped.headers);
        return;
      }
      logger.error('unexpected failure', {
        errorName: request.error?.name,
        errorMessage: request.error?.message,
      });
      request.response = problemResponse(problem('internal', 500, 'Something went wrong on our side'));
    },
  };
}

/** Counts responses by status class, so that every invocation publishes at least one metric. */
export function countResponses(
  metrics: Metrics,
): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  const count = (statusCode: number | undefined): void => {
    metrics.addMetric(`Http${Math.floor((statusCode ?? 500) / 100)}xx`, MetricUnit.Count, 1);
  };
  return {
    // Braces matter: a middy middleware that returns a value ends the request with it.
    after: (request) => {
      count(request.response?.statusCode);
    },
    onError: (request) => {
      count(request.response?.statusCode);
    },
  };
}

/** A JSON response; `T` names the contract type the body must fit (the schema's, for views). */
export function json<T>(
  statusCode: number,
  body: T,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}
