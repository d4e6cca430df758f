/**
 * A local EventBridge Scheduler for the template's `AWS::Scheduler::Schedule`s: each enabled schedule invokes its
 * target on its expression (asynchronously, as Scheduler does); `POST /_local/schedules/<name>/run` runs one now and
 * answers once the target returned; `GET /_local/schedules` lists them. Anchors and runs are kept in SQLite.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Database from 'better-sqlite3';
import { sendJson } from './http-util';
import { atInstant, type ParsedExpression, parseScheduleExpression, runOnSchedule } from './schedule-clock';
import { deliverToTarget, type TargetResult, type TargetServices } from './target-dispatch';
import type { ScheduleSpec } from './template';

export interface LocalScheduler {
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
  /** Runs a schedule's target now (synchronously) by name, `group/name` or logical id. */
  run(name: string): Promise<TargetResult>;
  list(): Record<string, unknown>[];
  /** Anchor of a recurring expression (first time seen, kept across restarts), for scheduled rules too. */
  anchorOf(key: string, startDate?: string): Date;
  /** Starts every enabled schedule's timer (once the services its targets call are up). */
  start(): void;
  /** Clears the timers and closes the store. */
  close(): void;
}

export class UnknownScheduleError extends Error {
  constructor(name: string) {
    super(`no schedule ${name} in the template`);
    this.name = 'UnknownScheduleError';
  }
}

export function createLocalScheduler(options: {
  schedules: ScheduleSpec[];
  databasePath: string;
  targets: TargetServices;
  log?: (line: string) => void;
}): LocalScheduler {
  const log = options.log ?? (() => {});
  const db = new Database(options.databasePath);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS anchors (key TEXT PRIMARY KEY, anchor TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS runs (seq INTEGER PRIMARY KEY AUTOINCREMENT, schedule TEXT NOT NULL, at TEXT NOT NULL,
      scheduled_time TEXT NOT NULL, trigger TEXT NOT NULL, outcome TEXT NOT NULL)`);
  const insertRun = db.prepare(
    'INSERT INTO runs (schedule, at, scheduled_time, trigger, outcome) VALUES (?, ?, ?, ?, ?)',
  );
  const parsed = new Map<string, ParsedExpression>(
    options.schedules.map((schedule) => [schedule.arn, parseScheduleExpression(schedule.expression)]),
  );
  const nextRuns = new Map<string, string | null>();
  const stops: (() => void)[] = [];

  const anchorOf: LocalScheduler['anchorOf'] = (key, startDate) => {
    if (startDate) return new Date(startDate);
    const row = db.prepare('SELECT anchor FROM anchors WHERE key = ?').get(key) as
      | { anchor: string }
      | undefined;
    if (row) return new Date(row.anchor);
    const anchor = new Date();
    db.prepare('INSERT INTO anchors (key, anchor) VALUES (?, ?)').run(key, anchor.toISOString());
    return anchor;
  };

  /** The target's Input with Scheduler's context attributes filled in (`<aws.scheduler.scheduled-time>`, ...). */
  const inputFor = (schedule: ScheduleSpec, scheduledTime: Date): string =>
    (schedule.target.input ?? '{}')
      .replaceAll('<aws.scheduler.schedule-arn>', schedule.arn)
      .replaceAll('<aws.scheduler.scheduled-time>', scheduledTime.toISOString().replace(/\.\d{3}Z$/, 'Z'))
      .replaceAll('<aws.scheduler.execution-id>', randomUUID())
      .replaceAll('<aws.scheduler.attempt-number>', '1');

  const execute = async (
    schedule: ScheduleSpec,
    scheduledTime: Date,
    trigger: 'schedule' | 'manual',
  ): Promise<TargetResult> => {
    const invocation = trigger === 'manual' ? 'RequestResponse' : 'Event';
    try {
      const result = await deliverToTarget(
        schedule.target.arn,
        inputFor(schedule, scheduledTime),
        options.targets,
        invocation,
      );
      const outcome = result.functionError
        ? `function error ${result.functionError}`
        : `status ${result.statusCode}`;
      insertRun.run(schedule.name, new Date().toISOString(), scheduledTime.toISOString(), trigger, outcome);
      return result;
    } catch (error) {
      insertRun.run(
        schedule.name,
        new Date().toISOString(),
        scheduledTime.toISOString(),
        trigger,
        String(error),
      );
      throw error;
    }
  };

  const ranBefore = (schedule: ScheduleSpec) =>
    db
      .prepare("SELECT 1 FROM runs WHERE schedule = ? AND trigger = 'schedule' LIMIT 1")
      .get(schedule.name) !== undefined;

  const start = (schedule: ScheduleSpec) => {
    const expression = parsed.get(schedule.arn);
    if (!expression || !schedule.enabled) return;
    const fire = (scheduledTime: Date) => {
      execute(schedule, scheduledTime, 'schedule').catch((error: unknown) =>
        log(`[schedule] ${schedule.name}: ${String(error)}`),
      );
    };
    // A one-time schedule that came due while the local cloud was down runs once at start.
    if (expression.kind === 'at' && atInstant(expression, schedule.timezone) <= new Date()) {
      if (!ranBefore(schedule)) fire(atInstant(expression, schedule.timezone));
      nextRuns.set(schedule.arn, null);
      return;
    }
    stops.push(
      runOnSchedule({
        parsed: expression,
        anchor: anchorOf(`schedule:${schedule.arn}`, schedule.startDate),
        timeZone: schedule.timezone,
        startDate: schedule.startDate ? new Date(schedule.startDate) : undefined,
        endDate: schedule.endDate ? new Date(schedule.endDate) : undefined,
        flexibleMillis: schedule.flexibleWindowMinutes * 60_000,
        fire,
        onNext: (next) => nextRuns.set(schedule.arn, next?.toISOString() ?? null),
      }),
    );
  };
  let started = false;
  const startAll = () => {
    if (started) return;
    started = true;
    for (const schedule of options.schedules) start(schedule);
  };

  const find = (name: string): ScheduleSpec | undefined =>
    options.schedules.find(
      (schedule) =>
        schedule.name === name ||
        schedule.logicalId === name ||
        `${schedule.groupName}/${schedule.name}` === name,
    );

  const run: LocalScheduler['run'] = async (name) => {
    const schedule = find(name);
    if (!schedule) throw new UnknownScheduleError(name);
    return execute(schedule, new Date(), 'manual');
  };

  const list: LocalScheduler['list'] = () =>
    options.schedules.map((schedule) => {
      const last = db
        .prepare('SELECT at, trigger, outcome FROM runs WHERE schedule = ? ORDER BY seq DESC LIMIT 1')
        .get(schedule.name) as { at: string; trigger: string; outcome: string } | undefined;
      return {
        name: schedule.name,
        groupName: schedule.groupName,
        arn: schedule.arn,
        expression: schedule.expression,
        timezone: schedule.timezone,
        state: schedule.enabled ? 'ENABLED' : 'DISABLED',
        target: schedule.target.arn,
        nextRunAt: nextRuns.get(schedule.arn) ?? null,
        lastRun: last ?? null,
      };
    });

  const handle: LocalScheduler['handle'] = async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'GET' && url.pathname === '/_local/schedules') {
      sendJson(response, 200, { schedules: list() });
      return true;
    }
    const match = /^\/_local\/schedules\/(.+)\/run$/.exec(url.pathname);
    if (!match?.[1]) return false;
    request.resume();
    if (request.method !== 'POST') {
      sendJson(response, 405, { message: 'use POST /_local/schedules/<name>/run' });
      return true;
    }
    try {
      sendJson(response, 200, await run(decodeURIComponent(match[1])));
    } catch (error) {
      sendJson(response, error instanceof UnknownScheduleError ? 404 : 502, {
        message: (error as Error).message,
      });
    }
    return true;
  };

  const close = () => {
    for (const stop of stops.splice(0)) stop();
    db.close();
  };

  return { handle, run, list, anchorOf, start: startAll, close };
}
