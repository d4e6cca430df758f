import { InvalidCursorError } from './domain/errors';

/** Opaque pagination cursors: base64url JSON, decoded defensively (a forged cursor is refused, never a 500). */
export function encodeCursor(value: Record<string, string>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor(cursor: string, keys: readonly string[]): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new InvalidCursorError('the cursor is not valid', { cause });
  }
  if (typeof value !== 'object' || value === null) throw new InvalidCursorError('the cursor is not valid');
  const record = value as Record<string, unknown>;
  const result: Record<string, string> = {};
  for (const key of keys) {
    const entry = record[key];
    if (typeof entry !== 'string') throw new InvalidCursorError('the cursor is not valid');
    result[key] = entry;
  }
  return result;
}

/** Every string entry of a cursor (for cursors whose keys vary, e.g. one position per listed partition). */
export function decodeCursorEntries(cursor: string): Record<string, string> {
  const record = decodeCursor(cursor, []);
  let value: Record<string, unknown> = {};
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return record;
  }
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}
