import type { FieldError } from './problems';

/** Failures of the HTTP exchange itself (who calls, what was sent); `problems.ts` maps each to its status. */
export class UnauthorizedError extends Error {
  override name = 'UnauthorizedError';
}
export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
}
export class BadRequestError extends Error {
  override name = 'BadRequestError';
}
export class MalformedJsonError extends Error {
  override name = 'MalformedJsonError';
}
export class PayloadTooLargeError extends Error {
  override name = 'PayloadTooLargeError';
}
export class ValidationError extends Error {
  override name = 'ValidationError';
  constructor(
    readonly fieldErrors: FieldError[],
    options?: ErrorOptions,
  ) {
    super(`invalid: ${fieldErrors.map((error) => error.field).join(', ')}`, options);
  }
}
export class MissingIdempotencyKeyError extends Error {
  override name = 'MissingIdempotencyKeyError';
}
/** No route of this function matches the request's method and resource. */
export class UnknownRouteError extends Error {
  override name = 'UnknownRouteError';
}
