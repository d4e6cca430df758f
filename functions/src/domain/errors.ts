/**
 * Named failures of the domain and the use cases. They say what went wrong, never how to answer it: the HTTP layer
 * maps each class to a problem document in one table (`http/problems.ts`), the state machine catches some by name.
 */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}
export class ConflictError extends Error {
  override name = 'ConflictError';
}
/** The request is well formed but cannot be carried out; `fieldErrors` name the fields at fault. */
export class UnprocessableError extends Error {
  override name = 'UnprocessableError';
  constructor(
    message: string,
    readonly fieldErrors: { field: string; message: string }[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
/** An idempotency key came back with a different request. */
export class IdempotencyKeyReusedError extends Error {
  override name = 'IdempotencyKeyReusedError';
}
/** The first request under an idempotency key (or webhook-id) is still being processed. */
export class IdempotencyInFlightError extends Error {
  override name = 'IdempotencyInFlightError';
}
/** A platform's answer is not signed with a secret in force, or its timestamp is out of tolerance. */
export class InvalidSignatureError extends Error {
  override name = 'InvalidSignatureError';
}
/** A webhook-id we cannot keep: it becomes part of a table key, so its length is bounded. */
export class InvalidWebhookIdError extends Error {
  override name = 'InvalidWebhookIdError';
}
/** A pagination cursor that we did not issue. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}
/** Another writer changed the order between our read and our conditional write. */
export class ConcurrentChangeError extends Error {
  override name = 'ConcurrentChangeError';
}
/** Thrown by registerWait so that the state machine re-evaluates instead of waiting on stale state. */
export class OrderChanged extends Error {
  override name = 'OrderChanged';
}
