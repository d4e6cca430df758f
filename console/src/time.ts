/** Times in the viewer's zone (WIB when the browser names none), with the UTC value for a `title`. */
export const DEFAULT_TIME_ZONE = 'Asia/Jakarta';

export function viewerTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || DEFAULT_TIME_ZONE;
  } catch {
    return DEFAULT_TIME_ZONE;
  }
}

export function formatLocal(iso: string, locale: string, timeZone = viewerTimeZone()): string {
  // dateStyle/timeStyle cannot be combined with timeZoneName: the fields are named one by one.
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(new Date(iso));
}

export const formatUtc = (iso: string) => `${new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z')} (UTC)`;

/** `2 h 05 m`, `3 d 4 h`, `45 s`: the size of a duration, whatever its sign. */
export function formatDuration(milliseconds: number): string {
  const seconds = Math.floor(Math.abs(milliseconds) / 1000);
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} m`;
  if (minutes > 0) return `${minutes} m ${String(seconds % 60).padStart(2, '0')} s`;
  return `${seconds % 60} s`;
}
