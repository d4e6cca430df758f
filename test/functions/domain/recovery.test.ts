import { describe, expect, it } from 'vitest';
import { decideRecovery, executionArnFor, type OpenOrder } from '../../../functions/src/domain/recovery';

const machine = 'arn:aws:states:us-east-1:000000000000:stateMachine:Tenggat-OrderWorkflow';
const now = new Date('2026-12-01T12:00:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const order: OpenOrder = {
  orderId: 'o-1',
  status: 'awaiting_platform',
  createdAt: ago(3600_000).toISOString(),
  executionArn: executionArnFor(machine, 'o-1'),
  recoveries: 0,
};
const stopped = (
  status: 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'SUCCEEDED',
  when: Date,
  redrive = 'REDRIVABLE',
) => ({
  status,
  stopDate: when,
  redriveStatus: redrive,
});

describe('recovering an open order whose execution is not running', () => {
  it('starts a never-started order under its own name, as the client retry would', () => {
    expect(executionArnFor(machine, 'o-1')).toBe(
      'arn:aws:states:us-east-1:000000000000:execution:Tenggat-OrderWorkflow:o-1',
    );
    expect(decideRecovery(order, { status: 'NOT_FOUND' }, now)).toEqual({
      action: 'start',
      executionName: 'o-1',
    });
  });

  it('redrives a failed, timed out or aborted execution within 14 days', () => {
    for (const status of ['FAILED', 'TIMED_OUT', 'ABORTED'] as const) {
      expect(decideRecovery(order, stopped(status, ago(60_000)), now)).toEqual({
        action: 'redrive',
        executionArn: order.executionArn,
      });
    }
  });

  it('starts <orderId>.<n> when redrive is not possible: too old, not redrivable, or succeeded', () => {
    const restart = { action: 'restart', executionName: 'o-1.1' };
    expect(decideRecovery(order, stopped('FAILED', ago(15 * 24 * 3600_000)), now)).toEqual(restart);
    expect(decideRecovery(order, stopped('FAILED', ago(60_000), 'NOT_REDRIVABLE'), now)).toEqual(restart);
    expect(decideRecovery(order, stopped('SUCCEEDED', ago(60_000)), now)).toEqual(restart);
    expect(decideRecovery({ ...order, recoveries: 2 }, stopped('SUCCEEDED', ago(60_000)), now)).toMatchObject(
      { executionName: 'o-1.3' },
    );
  });

  it('leaves running executions, orders still being accepted and orders under a minute old alone', () => {
    expect(
      decideRecovery(order, { status: 'RUNNING', stopDate: null, redriveStatus: null }, now).action,
    ).toBe('none');
    expect(decideRecovery({ ...order, status: 'accepting' }, { status: 'NOT_FOUND' }, now).action).toBe(
      'none',
    );
    expect(
      decideRecovery({ ...order, createdAt: ago(30_000).toISOString() }, { status: 'NOT_FOUND' }, now).action,
    ).toBe('none');
  });
});
