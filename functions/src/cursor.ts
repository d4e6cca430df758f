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
