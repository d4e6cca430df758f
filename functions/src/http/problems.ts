import type { APIGatewayProxyResult } from 'aws-lambda';
import type { z } from 'zod';
import {
  ConcurrentChangeError,
  ConflictError,
  IdempotencyInFlightError,
  IdempotencyKeyReusedError,
  InvalidCursorError,
  InvalidSignatureError,
  InvalidWebhookIdError,
  NotFoundError,
  UnprocessableError,
} from '../domain/errors';
import {
  BadRequestError,
  ForbiddenError,
  MalformedJsonError,
  MissingIdempotencyKeyError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnknownRouteError,
  ValidationError,
} from './errors';

export const PROBLEM_BASE = 'https://tenggat.dev/problems/';

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

/** Every kind of problem we answer, with its title; the `type` URI is the base plus the kind. */
const TITLES = {
  'malformed-json': 'Malformed JSON',
  validation: 'Validation failed',
  'payload-too-large': 'Payload too large',
  'missing-idempotency-key': 'Idempotency-Key header required',
  'idempotency-key-reused': 'Idempotency-Key reused with a different body',
  'idempotency-in-flight': 'Request with this Idempotency-Key still in progress',
  'not-found': 'Not found',
  conflict: 'Conflict',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  'bad-request': 'Bad request',
  internal: 'Internal error',
} as const;
export type ProblemKind = keyof typeof TITLES;

interface ProblemRule {
  kind: ProblemKind;
  status: number;
  /** The detail shown instead of the error's own message. */
  detail?: string;
  headers?: Record<string, string>;
}

type ErrorClass = abstract new (...args: never[]) => Error;
const RETRY_SHORTLY = { 'retry-after': '1' };

/**
 * The one mapping from a named error to the problem document it answers; an error that is not here is a 500 that
 * reveals nothing. Field errors travel with the error (`fieldErrors`) and are shown when there are any.
 */
const RULES = new Map<ErrorClass, ProblemRule>([
  [MalformedJsonError, { kind: 'malformed-json', status: 400 }],
  [BadRequestError, { kind: 'bad-request', status: 400 }],
  [InvalidCursorError, { kind: 'bad-request', status: 400 }],
  [InvalidWebhookIdError, { kind: 'bad-request', status: 400 }],
  [MissingIdempotencyKeyError, { kind: 'missing-idempotency-key', status: 400 }],
  [UnauthorizedError, { kind: 'unauthorized', status: 401 }],
  [InvalidSignatureError, { kind: 'unauthorized', status: 401 }],
  [ForbiddenError, { kind: 'forbidden', status: 403 }],
  [NotFoundError, { kind: 'not-found', status: 404 }],
  [UnknownRouteError, { kind: 'not-found', status: 404 }],
  [ConflictError, { kind: 'conflict', status: 409 }],
  [
    ConcurrentChangeError,
    {
      kind: 'conflict',
      status: 409,
      detail: 'The order is changing under heavy concurrency; retry shortly',
      headers: RETRY_SHORTLY,
    },
  ],
  [IdempotencyInFlightError, { kind: 'idempotency-in-flight', status: 409, headers: RETRY_SHORTLY }],
  [PayloadTooLargeError, { kind: 'payload-too-large', status: 413 }],
  [ValidationError, { kind: 'validation', status: 422, detail: 'The request breaks the schema' }],
  [UnprocessableError, { kind: 'validation', status: 422 }],
  [IdempotencyKeyReusedError, { kind: 'idempotency-key-reused', status: 422 }],
]);

export function problem(kind: ProblemKind, status: number, detail?: string, errors?: FieldError[]): Problem {
  return {
    type: `${PROBLEM_BASE}${kind}`,
    title: TITLES[kind],
    status,
    ...(detail === undefined ? {} : { detail }),
    ...(errors === undefined ? {} : { errors }),
  };
}

/** The problem a named error answers with its extra headers, or null for an error we do not explain. */
export function problemFor(error: unknown): { problem: Problem; headers: Record<string, string> } | null {
  if (!(error instanceof Error)) return null;
  const rule = RULES.get(error.constructor as ErrorClass);
  if (rule === undefined) return null;
  const fieldErrors = (error as { fieldErrors?: FieldError[] }).fieldErrors ?? [];
  return {
    problem: problem(
      rule.kind,
      rule.status,
      rule.detail ?? error.message,
      fieldErrors.length > 0 ? fieldErrors : undefined,
    ),
    headers: rule.headers ?? {},
  };
}

export function problemResponse(value: Problem, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode: value.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify(value),
  };
}

/** `items[3].locator` style field names, as a client would write them. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text === '' ? '(body)' : text;
}

export function fieldErrorsOf(error: z.ZodError): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        errors.push({ field: fieldPath([...issue.path, key]), message: 'is not a known field' });
      }
    } else {
      errors.push({ field: fieldPath(issue.path), message: issue.message });
    }
  }
  return errors;
}
