/** Raised when a policy carries a duration that is not an ISO 8601 duration we can turn into milliseconds. */
export class InvalidDurationError extends Error {
  override name = 'InvalidDurationError';
}

const DURATION_PATTERN =
  /^P(?:(?<weeks>\d+(?:\.\d+)?)W)?(?:(?<days>\d+(?:\.\d+)?)D)?(?:T(?:(?<hours>\d+(?:\.\d+)?)H)?(?:(?<minutes>\d+(?:\.\d+)?)M)?(?:(?<seconds>\d+(?:\.\d+)?)S)?)?$/;

const MS_PER = {
  weeks: 604_800_000,
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1_000,
} as const;

/**
 * Parses the fixed-length subset of ISO 8601 durations (weeks, days, hours, minutes, seconds).
 * Years and months are refused because their length depends on the calendar, which a legal deadline must not.
 */
export function parseDurationMs(text: string): number {
  const match = DURATION_PATTERN.exec(text);
  if (!match?.groups || text === 'P' || text.endsWith('T')) {
    throw new InvalidDurationError(
      `"${text}" is not an ISO 8601 duration of weeks, days, hours, minutes or seconds`,
    );
  }
  let total = 0;
  for (const unit of Object.keys(MS_PER) as (keyof typeof MS_PER)[]) {
    const value = match.groups[unit];
    if (value !== undefined) total += Number(value) * MS_PER[unit];
  }
  return Math.round(total);
}

/** Whole seconds as an ISO 8601 duration in hours, minutes and seconds (`PT2H30M5S`; `PT0S` for none or less). */
export function formatDurationSeconds(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  const parts = `${hours > 0 ? `${hours}H` : ''}${minutes > 0 ? `${minutes}M` : ''}${rest > 0 ? `${rest}S` : ''}`;
  return `PT${parts === '' ? '0S' : parts}`;
}
