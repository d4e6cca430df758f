/**
 * Java's ISO_OFFSET_DATE_TIME, which Step Functions uses for Wait timestamps: `2016-03-14T01:59:00Z`,
 * optional seconds and fraction, an offset `Z` or `+hh:mm`. Returns epoch ms, or undefined if invalid.
 */
const ISO_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseIsoOffsetDateTime(text: string): number | undefined {
  const match = ISO_OFFSET.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map((part) => part ?? '');
  const m = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const min = Number(minute);
  const s = second === '' ? 0 : Number(second);
  if (m < 1 || m > 12 || d < 1 || h > 23 || min > 59 || s > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(Number(year), m, 0)).getUTCDate();
  if (d > daysInMonth) return undefined;
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** Epoch ms → AWS's wire timestamp (epoch seconds with fraction). */
export function toEpochSeconds(ms: number): number {
  return ms / 1000;
}
