import { describe, expect, it } from 'vitest';
import {
  ConcurrentChangeError,
  ConflictError,
  IdempotencyInFlightError,
  IdempotencyKeyReusedError,
  InvalidCursorError,
  InvalidSignatureError,
  InvalidWebhookIdError,
  NotFoundError,
  OrderChanged,
  UnprocessableError,
} from '../../../functions/src/domain/errors';
import {
  BadRequestError,
  ForbiddenError,
  MalformedJsonError,
  MissingIdempotencyKeyError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnknownRouteError,
  ValidationError,
} from '../../../functions/src/http/errors';
import { problemFor } from '../../../functions/src/http/problems';

const base = 'https://tenggat.dev/problems/';

describe('problemFor (one table from error to problem document)', () => {
  it.each([
    [new MalformedJsonError('m'), 400, 'malformed-json'],
    [new BadRequestError('m'), 400, 'bad-request'],
    [new InvalidCursorError('m'), 400, 'bad-request'],
    [new InvalidWebhookIdError('m'), 400, 'bad-request'],
    [new MissingIdempotencyKeyError('m'), 400, 'missing-idempotency-key'],
    [new UnauthorizedError('m'), 401, 'unauthorized'],
    [new InvalidSignatureError('m'), 401, 'unauthorized'],
    [new ForbiddenError('m'), 403, 'forbidden'],
    [new NotFoundError('m'), 404, 'not-found'],
    [new UnknownRouteError('m'), 404, 'not-found'],
    [new ConflictError('m'), 409, 'conflict'],
    [new PayloadTooLargeError('m'), 413, 'payload-too-large'],
    [new IdempotencyKeyReusedError('m'), 422, 'idempotency-key-reused'],
  ])('%s → %i %s, with its message as the detail', (error, status, kind) => {
    expect(problemFor(error)).toEqual({
      problem: { type: `${base}${kind}`, title: expect.any(String), status, detail: 'm' },
      headers: {},
    });
  });

  it('asks a client to retry shortly when the work is in flight or the order is contended', () => {
    expect(problemFor(new IdempotencyInFlightError('busy'))).toMatchObject({
      problem: { status: 409, type: `${base}idempotency-in-flight`, detail: 'busy' },
      headers: { 'retry-after': '1' },
    });
    expect(problemFor(new ConcurrentChangeError('version moved'))).toEqual({
      problem: {
        type: `${base}conflict`,
        title: 'Conflict',
        status: 409,
        detail: 'The order is changing under heavy concurrency; retry shortly',
      },
      headers: { 'retry-after': '1' },
    });
  });

  it('names the fields at fault when the error carries any', () => {
    const fields = [{ field: 'items[0].locator', message: 'is required' }];
    expect(problemFor(new ValidationError(fields))?.problem).toEqual({
      type: `${base}validation`,
      title: 'Validation failed',
      status: 422,
      detail: 'The request breaks the schema',
      errors: fields,
    });
    expect(problemFor(new UnprocessableError('unknown platform'))?.problem).not.toHaveProperty('errors');
  });

  it('explains nothing else: other errors, lookalikes by name and non-errors become a 500 elsewhere', () => {
    expect(problemFor(new Error('boom'))).toBeNull();
    expect(problemFor(new OrderChanged('moved'))).toBeNull();
    expect(problemFor(Object.assign(new Error('x'), { name: 'NotFoundError' }))).toBeNull();
    expect(problemFor('NotFoundError')).toBeNull();
  });
});
