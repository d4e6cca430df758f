import { createHash } from 'node:crypto';
import { SfnApiError } from '../../errors';

/** A request or response body as it goes over the wire (AWS JSON 1.0, timestamps as epoch seconds). */
export type WireInput = Record<string, unknown>;
export type WireOutput = Record<string, unknown>;

export const NAME_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,79}$/;
export const TOKEN_PATTERN = /^[A-Za-z0-9_\-+/=]{1,2048}$/;

export function optionalString(input: WireInput, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new SfnApiError('ValidationException', `${field} must be a string`);
  return value;
}

export function requiredString(input: WireInput, field: string): string {
  const value = optionalString(input, field);
  if (value === undefined || value === '') {
    throw new SfnApiError(
      'ValidationException',
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

export function requireArn(arn: string): void {
  if (!arn.startsWith('arn:')) throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn}'`);
}

export function encodePageToken(value: number): string {
  return Buffer.from(JSON.stringify({ v: value })).toString('base64');
}

export function decodePageToken(token: string | undefined): number | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { v?: unknown };
    if (typeof parsed.v === 'number') return parsed.v;
  } catch {
    // fall through to the API error below
  }
  throw new SfnApiError('InvalidToken', 'Invalid nextToken');
}

export function pageSize(input: WireInput, fallback: number): number {
  const value = input.maxResults;
  if (value === undefined || value === null || value === 0) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 1000) {
    throw new SfnApiError('ValidationException', 'maxResults must be between 1 and 1000');
  }
  return value;
}

/**
 * One page of an in-memory list as the List* actions answer it: `maxResults` (default 100) from the offset in
 * `nextToken`, under `key`, with a `nextToken` when more remain.
 */
export function offsetPage<T>(
  input: WireInput,
  rows: readonly T[],
  key: string,
  toWire: (row: T) => WireOutput,
): WireOutput {
  const limit = pageSize(input, 100);
  const offset = decodePageToken(optionalString(input, 'nextToken')) ?? 0;
  const output: WireOutput = { [key]: rows.slice(offset, offset + limit).map(toWire) };
  if (offset + limit < rows.length) output.nextToken = encodePageToken(offset + limit);
  return output;
}

export function revisionOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
