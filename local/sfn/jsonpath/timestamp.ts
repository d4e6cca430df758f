/**
 * AWS accepts RFC 3339 / ISO-8601 extended offset date-times: `2016-03-14T01:59:00Z`,
 * `2016-03-14T01:59:00.123+01:00`. Uppercase `T`, an offset and real calendar values are required.
 */
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):(\d{2}))$/;

export function isValidTimestamp(value: unknown): value is string {
  return typeof value === 'string' && parseTimestamp(value) !== undefined;
}

/** Epoch nanoseconds as a bigint (keeps sub-millisecond order), or undefined when invalid. */
export function parseTimestamp(text: string): bigint | undefined {
  const match = TIMESTAMP.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second = '0', fraction = '', zone, offsetHours, offsetMinutes] =
    match;
  const numbers = [year, month, day, hour, minute, second].map(Number);
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = numbers;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d > daysInMonth) return undefined;
  let offsetMinutesTotal = 0;
  if (zone !== 'Z') {
    const oh = Number(offsetHours);
    const om = Number(offsetMinutes);
    if (oh > 18 || om > 59) return undefined;
    offsetMinutesTotal = (zone?.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const epochMillis = Date.UTC(y, mo - 1, d, h, mi, s) - offsetMinutesTotal * 60_000;
  return BigInt(epochMillis) * 1_000_000n + BigInt(fraction.padEnd(9, '0') || '0');
}
