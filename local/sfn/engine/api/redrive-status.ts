import type { ExecutionRow } from '../store';

const DAY_MS = 86_400_000;
/** AWS: the history must have room for ExecutionRedriven and one more event. */
const HISTORY_EVENT_LIMIT = 24_999;
const REDRIVABLE_PERIOD_MS = 14 * DAY_MS;
const MAX_OPEN_TIME_MS = 365 * DAY_MS;

export type RedriveStatus = 'REDRIVABLE' | 'NOT_REDRIVABLE';

export interface RedriveState {
  status: RedriveStatus;
  /** Why not (AWS's `redriveStatusReason` wording); only for NOT_REDRIVABLE. */
  reason?: string;
}

/**
 * What the redrive rules need beyond the record; the two reads only when asked (every status change of every
 * execution asks, and a running or succeeded one needs neither).
 */
export interface RedriveFacts {
  nowMs: number;
  historyEventCount(): number;
  machineExists(): boolean;
}

/** Whether RedriveExecution would accept the execution now, as DescribeExecution reports it. */
export function redriveStateOf(row: ExecutionRow, facts: RedriveFacts): RedriveState {
  const not = (reason: string): RedriveState => ({ status: 'NOT_REDRIVABLE', reason });
  if (row.type === 'EXPRESS') return not('Execution of an EXPRESS state machine cannot be redriven');
  if (row.status === 'RUNNING' || row.status === 'SUCCEEDED') {
    return not(`Execution is ${row.status} and cannot be redriven`);
  }
  if (!facts.machineExists()) return not('State machine is in DELETING status');
  if (facts.historyEventCount() >= HISTORY_EVENT_LIMIT) return not('Execution history event limit exceeded');
  if (facts.nowMs - row.startMs > MAX_OPEN_TIME_MS)
    return not('Execution has exceeded the max execution time');
  if (row.stopMs !== null && facts.nowMs - row.stopMs > REDRIVABLE_PERIOD_MS) {
    return not('Execution redrivable period exceeded');
  }
  return { status: 'REDRIVABLE' };
}
