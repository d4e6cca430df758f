import type { FieldError } from './problems';

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
export class IdempotencyKeyReusedError extends Error {
  override name = 'IdempotencyKeyReusedError';
}
export class IdempotencyInFlightError extends Error {
  override name = 'IdempotencyInFlightError';
}
