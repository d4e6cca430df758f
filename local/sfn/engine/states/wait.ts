import { StatesError } from '../../errors';
import type { WaitState } from '../asl';
import { unexpectedResultType } from '../runner/failures';
import { type FieldRule, readField } from '../runner/field-reader';
import { parseIsoOffsetDateTime } from '../timestamps';
import type { StateHandler } from './state-handler';

const MAX_WAIT_SECONDS = 2_147_483_647;

function notAnInputValue(field: string) {
  return (path: string) =>
    new StatesError('States.Runtime', `The ${field} parameter does not reference an input value: ${path}`);
}

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const SECONDS_RULE: FieldRule<number> = {
  field: 'Seconds',
  fromExpression(value, template) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw unexpectedResultType('Seconds', template, 'integer', value);
    }
    return value;
  },
  fromPath(value, path) {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new StatesError(
        'States.Runtime',
        `The SecondsPath parameter cannot be parsed as a long value: ${path} == ${JSON.stringify(value)}`,
      );
    }
    if (value < 0) {
      throw new StatesError(
        'States.Runtime',
        `The SecondsPath parameter references a negative value: ${path} == ${value}`,
      );
    }
    return value;
  },
  missingPath: notAnInputValue('SecondsPath'),
};

/** Timestamp / TimestampPath, as epoch ms. */
const TIMESTAMP_RULE: FieldRule<number> = {
  field: 'Timestamp',
  fromLiteral(value) {
    const ms = typeof value === 'string' ? parseIsoOffsetDateTime(value) : undefined;
    if (ms === undefined) {
      throw new StatesError(
        'States.Runtime',
        `The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: ${shown(value)}`,
      );
    }
    return ms;
  },
  fromExpression(value) {
    const ms = typeof value === 'string' ? parseIsoOffsetDateTime(value) : undefined;
    if (ms === undefined) {
      throw new StatesError(
        'States.QueryEvaluationError',
        `The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: ${shown(value)}`,
      );
    }
    return ms;
  },
  fromPath(value, path) {
    const ms = typeof value === 'string' ? parseIsoOffsetDateTime(value) : undefined;
    if (ms === undefined) {
      throw new StatesError(
        'States.Runtime',
        `The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: ${path} == ${shown(value)}`,
      );
    }
    return ms;
  },
  missingPath: notAnInputValue('TimestampPath'),
};

function dueTime(seconds: number | undefined, timestampMs: number | undefined): number {
  const now = Date.now();
  const dueMs = seconds !== undefined ? now + seconds * 1000 : (timestampMs ?? now);
  if ((seconds ?? 0) > MAX_WAIT_SECONDS || (dueMs - now) / 1000 > MAX_WAIT_SECONDS) {
    throw new StatesError('States.Runtime', 'Wait state delay is too long.');
  }
  return dueMs;
}

/** Wait: sleeps until a due time fixed once (the same after a restart), then passes its input on. */
export const waitHandler: StateHandler<WaitState> = {
  async run(run, env) {
    const { language, state } = run;
    const dueKey = `${run.stepKey}:due`;
    const stored = env.journal.recall(dueKey);
    let dueMs: number;
    if (stored !== undefined) {
      dueMs = JSON.parse(stored) as number;
    } else {
      const seconds = await readField(run, state.seconds, SECONDS_RULE);
      const timestampMs =
        seconds === undefined ? await readField(run, state.timestamp, TIMESTAMP_RULE) : undefined;
      dueMs = await env.journal.remember(dueKey, () => dueTime(seconds, timestampMs));
    }
    await env.sleepUntil(dueMs, run.strand.cancellation);
    return { output: await language.outputOfInput(run, language.stateInput(run), state), next: state.next };
  },
};
