/** Named failures the HTTP layer turns into problem documents. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}
export class ConflictError extends Error {
  override name = 'ConflictError';
}
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
export class UnauthorizedError extends Error {
  override name = 'UnauthorizedError';
}
export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
}
export class BadRequestError extends Error {
  override name = 'BadRequestError';
}
/** Another writer changed the order between our read and our conditional write. */
export class ConcurrentChangeError extends Error {
  override name = 'ConcurrentChangeError';
}
/** Thrown by registerWait so that the state machine re-evaluates instead of waiting on stale state. */
export class OrderChanged extends Error {
  override name = 'OrderChanged';
}
