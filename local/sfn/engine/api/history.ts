import { toEpochSeconds } from '../timestamps';
import type { EngineCore } from './engine-core';
import {
  decodePageToken,
  encodePageToken,
  optionalString,
  pageSize,
  requiredString,
  type WireInput,
  type WireOutput,
} from './wire';

export function getExecutionHistory(core: EngineCore, input: WireInput): WireOutput {
  const arn = requiredString(input, 'executionArn');
  core.requireExecution(arn);
  const limit = pageSize(input, 100);
  const reverse = input.reverseOrder === true;
  const includeData = input.includeExecutionData !== false;
  const after =
    decodePageToken(optionalString(input, 'nextToken')) ?? (reverse ? Number.MAX_SAFE_INTEGER : 0);
  const rows = core.store.events(arn, reverse, after, limit + 1);
  const page = rows.slice(0, limit);
  const events = page.map((row) => {
    const event: WireOutput = {
      timestamp: toEpochSeconds(row.timestampMs),
      type: row.type,
      id: row.id,
      previousEventId: row.previousEventId,
    };
    if (row.details) {
      const details = JSON.parse(row.details) as Record<string, Record<string, unknown>>;
      for (const [key, value] of Object.entries(details)) {
        if (!includeData) {
          const { input: _input, output: _output, ...rest } = value;
          event[key] = rest;
        } else {
          event[key] = value;
        }
      }
    }
    return event;
  });
  const output: WireOutput = { events };
  const last = page[page.length - 1];
  if (rows.length > limit && last) output.nextToken = encodePageToken(last.id);
  return output;
}
