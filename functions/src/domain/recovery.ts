/**
 * What the reconciler does for one open order whose execution is not running. Pure: the use case lists open orders
 * and executions, asks this, and carries out the answer.
 */

/** A never-started order younger than this is left alone: its submit may still be starting the execution. */
export const RECOVERY_MIN_AGE_MS = 60_000;
/** Step Functions redrives a Standard execution only within 14 days of its end. */
export const REDRIVE_WINDOW_MS = 14 * 24 * 3600 * 1000;

export type ExecutionState =
  | { status: 'NOT_FOUND' }
  | {
      status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
      stopDate: Date | null;
      redriveStatus: string | null;
    };

export type Recovery =
  | { action: 'none'; reason: string }
  | { action: 'start'; executionName: string }
  | { action: 'redrive'; executionArn: string }
  | { action: 'restart'; executionName: string };

export interface OpenOrder {
  orderId: string;
  status: string;
  createdAt: string;
  executionArn: string | null;
  recoveries: number;
}

/** `arn:...:stateMachine:<machine>` + name → `arn:...:execution:<machine>:<name>`. */
export function executionArnFor(stateMachineArn: string, executionName: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
}

export function decideRecovery(order: OpenOrder, execution: ExecutionState, now: Date): Recovery {
  // Its execution starts once every item is in; a stalled intake is resumed instead (reconcile-executions.ts).
  if (order.status === 'accepting') return { action: 'none', reason: 'still being accepted' };
  if (execution.status === 'NOT_FOUND') {
    if (now.getTime() - new Date(order.createdAt).getTime() < RECOVERY_MIN_AGE_MS)
      return { action: 'none', reason: 'too young: its submit may still be starting it' };
    // Never started (the submit stopped after the marker): start it under its usual name, as a retry of the
    // submit would, so that the two can never make two executions.
    const name = order.executionArn?.split(':').at(-1) ?? order.orderId;
    return { action: 'start', executionName: name };
  }
  if (execution.status === 'RUNNING' || execution.status === 'PENDING_REDRIVE')
    return { action: 'none', reason: 'running' };
  const stopped = execution.stopDate === null ? null : now.getTime() - execution.stopDate.getTime();
  const redrivable =
    execution.status !== 'SUCCEEDED' &&
    execution.redriveStatus === 'REDRIVABLE' &&
    stopped !== null &&
    stopped < REDRIVE_WINDOW_MS;
  if (redrivable && order.executionArn !== null)
    return { action: 'redrive', executionArn: order.executionArn };
  return { action: 'restart', executionName: `${order.orderId}.${order.recoveries + 1}` };
}
