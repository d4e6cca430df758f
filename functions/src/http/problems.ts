import type { APIGatewayProxyResult } from 'aws-lambda';
import type { z } from 'zod';

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

const TITLES: Record<string, string> = {
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
  'unsupported-media-type': 'Unsupported media type',
  internal: 'Internal error',
};

export function problem(kind: string, status: number, detail?: string, errors?: FieldError[]): Problem {
  return {
    type: `${PROBLEM_BASE}${kind}`,
    title: TITLES[kind] ?? kind,
    status,
    ...(detail === undefined ? {} : { detail }),
    ...(errors === undefined ? {} : { errors }),
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
