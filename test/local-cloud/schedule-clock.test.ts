import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  nextFireTime,
  parseScheduleExpression,
  runOnSchedule,
  ScheduleExpressionError,
} from '../../local/cloud/schedule-clock';

const at = (iso: string) => new Date(iso);

describe('schedule expressions', () => {
  it('rate(...) fires every period from its anchor', () => {
    const parsed = parseScheduleExpression('rate(5 minutes)');
    const anchor = at('2026-01-01T00:00:30Z');
    expect(nextFireTime(parsed, at('2026-01-01T00:00:31Z'), { anchor, timeZone: 'UTC' })).toEqual(
      at('2026-01-01T00:05:30Z'),
    );
    expect(nextFireTime(parsed, at('2026-01-01T00:05:30Z'), { anchor, timeZone: 'UTC' })).toEqual(
      at('2026-01-01T00:10:30Z'),
    );
  });

  it("cron(...) with AWS's six fields, in UTC and in a time zone", () => {
    const weekdays = parseScheduleExpression('cron(0/15 8-17 ? * MON-FRI *)');
    const options = { anchor: new Date(0), timeZone: 'UTC' };
    expect(nextFireTime(weekdays, at('2026-12-05T10:00:00Z'), options)).toEqual(at('2026-12-07T08:00:00Z'));
    const lastDay = parseScheduleExpression('cron(15 10 L * ? *)');
    expect(nextFireTime(lastDay, at('2026-02-01T00:00:00Z'), options)).toEqual(at('2026-02-28T10:15:00Z'));
    const jakarta = parseScheduleExpression('cron(0 9 * * ? *)');
    expect(
      nextFireTime(jakarta, at('2026-06-01T00:00:00Z'), { ...options, timeZone: 'Asia/Jakarta' }),
    ).toEqual(at('2026-06-01T02:00:00Z'));
  });

  it('at(...) once, in its time zone', () => {
    const once = parseScheduleExpression('at(2026-03-01T09:30:00)');
    const options = { anchor: new Date(0), timeZone: 'Asia/Jakarta' };
    expect(nextFireTime(once, at('2026-01-01T00:00:00Z'), options)).toEqual(at('2026-03-01T02:30:00Z'));
    expect(nextFireTime(once, at('2026-03-01T02:30:00Z'), options)).toBeUndefined();
  });

  it.each([
    'rate(1 minutes)',
    'rate(2 minute)',
    'rate(0 minutes)',
    'cron(* * * * *)',
    'cron(0 10 1 * MON *)',
    'every 5 minutes',
  ])('refuses %s', (expression) => {
    expect(() => parseScheduleExpression(expression)).toThrow(ScheduleExpressionError);
  });
});

describe('runOnSchedule', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires on each period until stopped, and not after', () => {
    vi.useFakeTimers();
    vi.setSystemTime(at('2026-01-01T00:00:00Z'));
    const fired: string[] = [];
    const stop = runOnSchedule({
      parsed: parseScheduleExpression('rate(1 minute)'),
      anchor: new Date(),
      timeZone: 'UTC',
      fire: (time) => fired.push(time.toISOString()),
    });
    vi.advanceTimersByTime(59_000);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(62_000);
    expect(fired).toEqual(['2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z']);
    stop();
    vi.advanceTimersByTime(600_000);
    expect(fired).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits for StartDate, stops at EndDate, and adds at most the flexible window', () => {
    vi.useFakeTimers();
    vi.setSystemTime(at('2026-01-01T00:00:00Z'));
    const fired: Date[] = [];
    runOnSchedule({
      parsed: parseScheduleExpression('rate(1 minute)'),
      anchor: at('2026-01-01T00:10:00Z'),
      startDate: at('2026-01-01T00:10:00Z'),
      endDate: at('2026-01-01T00:12:00Z'),
      timeZone: 'UTC',
      flexibleMillis: 30_000,
      fire: () => fired.push(new Date()),
    });
    vi.advanceTimersByTime(3_600_000);
    expect(fired).toHaveLength(2);
    expect(fired[0]?.getTime()).toBeGreaterThanOrEqual(at('2026-01-01T00:11:00Z').getTime());
    expect(fired[0]?.getTime()).toBeLessThan(at('2026-01-01T00:11:30Z').getTime());
    expect(vi.getTimerCount()).toBe(0);
  });
});
