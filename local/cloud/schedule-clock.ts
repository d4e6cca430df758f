/**
 * When schedule expressions fire: `rate(n unit)` from an anchor (the StartDate, else when the local cloud first saw
 * the schedule, kept in SQLite so a restart keeps the phase), `cron(min hour dom month dow year)` and
 * `at(yyyy-mm-ddThh:mm:ss)` in the schedule's time zone. Shared by EventBridge Scheduler and scheduled rules.
 */
import awsCronParser from 'aws-cron-parser';

export class ScheduleExpressionError extends Error {
  constructor(expression: string, reason: string) {
    super(`invalid schedule expression ${expression}: ${reason}`);
    this.name = 'ScheduleExpressionError';
  }
}

export type ParsedExpression =
  | { kind: 'rate'; millis: number }
  | { kind: 'cron'; cron: ReturnType<typeof awsCronParser.parse> }
  | { kind: 'at'; wall: string };

const UNIT_MILLIS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export function parseScheduleExpression(expression: string): ParsedExpression {
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate?.[1] && rate[2]) {
    const value = Number(rate[1]);
    if (value < 1) throw new ScheduleExpressionError(expression, 'the rate must be a positive integer');
    const unit = rate[2].replace(/s$/, '');
    if ((value === 1) !== (unit === rate[2])) {
      throw new ScheduleExpressionError(expression, 'use the singular unit for 1 and the plural otherwise');
    }
    return { kind: 'rate', millis: value * (UNIT_MILLIS[unit] ?? 0) };
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (cron?.[1]) {
    const fields = cron[1].trim().split(/\s+/);
    if (fields.length !== 6) throw new ScheduleExpressionError(expression, 'cron needs 6 fields');
    if (fields[2] !== '?' && fields[4] !== '?') {
      throw new ScheduleExpressionError(expression, 'day-of-month or day-of-week must be ?');
    }
    return { kind: 'cron', cron: awsCronParser.parse(cron[1].trim()) };
  }
  const at = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(expression.trim());
  if (at?.[1]) return { kind: 'at', wall: at[1] };
  throw new ScheduleExpressionError(expression, 'expected rate(...), cron(...) or at(...)');
}

/** Milliseconds the wall clock of `timeZone` is ahead of UTC at `instant`. */
function zoneOffset(timeZone: string, instant: Date): number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return 0;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(instant.getTime() / 1000) * 1000;
}

/** A wall-clock time of `timeZone` (as a UTC-based Date) → the instant. */
function wallToInstant(wall: Date, timeZone: string): Date {
  const guess = new Date(wall.getTime() - zoneOffset(timeZone, wall));
  return new Date(wall.getTime() - zoneOffset(timeZone, guess));
}

/** The first fire time strictly after `after`, or undefined when there is none. */
export function nextFireTime(
  parsed: ParsedExpression,
  after: Date,
  options: { anchor: Date; timeZone: string },
): Date | undefined {
  if (parsed.kind === 'rate') {
    const periods = Math.floor((after.getTime() - options.anchor.getTime()) / parsed.millis) + 1;
    return new Date(options.anchor.getTime() + Math.max(1, periods) * parsed.millis);
  }
  if (parsed.kind === 'at') {
    const instant = wallToInstant(new Date(`${parsed.wall}Z`), options.timeZone);
    return instant.getTime() > after.getTime() ? instant : undefined;
  }
  const wallAfter = new Date(after.getTime() + zoneOffset(options.timeZone, after));
  const wallNext = awsCronParser.next(parsed.cron, wallAfter);
  return wallNext ? wallToInstant(wallNext, options.timeZone) : undefined;
}

/** The instant of an `at(...)` expression (one-time schedules). */
export function atInstant(parsed: { wall: string }, timeZone: string): Date {
  return wallToInstant(new Date(`${parsed.wall}Z`), timeZone);
}

/** Longest delay setTimeout takes; longer waits are re-armed. */
const MAX_TIMEOUT = 2 ** 31 - 1;

/** Calls `fire(time)` at each fire time until stopped; returns the stop function. */
export function runOnSchedule(input: {
  parsed: ParsedExpression;
  anchor: Date;
  timeZone: string;
  startDate?: Date;
  endDate?: Date;
  /** Extra random delay up to this many ms (FlexibleTimeWindow). */
  flexibleMillis?: number;
  fire: (scheduledTime: Date) => void;
  onNext?: (next: Date | undefined) => void;
}): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = (after: Date) => {
    if (stopped) return;
    const from = input.startDate && input.startDate > after ? new Date(input.startDate.getTime() - 1) : after;
    const next = nextFireTime(input.parsed, from, input);
    const due = next && (!input.endDate || next <= input.endDate) ? next : undefined;
    input.onNext?.(due);
    if (!due) return;
    const jitter = input.flexibleMillis ? Math.floor(Math.random() * input.flexibleMillis) : 0;
    const wait = () => {
      const left = due.getTime() + jitter - Date.now();
      timer = setTimeout(
        () => {
          if (stopped) return;
          if (Date.now() < due.getTime() + jitter) return wait();
          input.fire(due);
          if (input.parsed.kind !== 'at') arm(due);
        },
        Math.min(Math.max(0, left), MAX_TIMEOUT),
      );
    };
    wait();
  };
  arm(new Date());
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
