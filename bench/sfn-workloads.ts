/** JSONPath state machines for the Step Functions benchmark; the peer engine ignores JSONata, so none is used. */

export interface ThroughputWorkload {
  label: string;
  definition: Record<string, unknown>;
  input: Record<string, unknown>;
  /** States entered by one execution, counted from the definition. */
  transitionsPerExecution: number;
  expectedOutput: unknown;
}

/** `length` Pass states in a row, each writing its index at `$.step`. */
export function passChain(length: number): ThroughputWorkload {
  const states: Record<string, unknown> = {};
  for (let index = 0; index < length; index++) {
    states[`Pass${index}`] = {
      Type: 'Pass',
      Result: index,
      ResultPath: '$.step',
      ...(index === length - 1 ? { End: true } : { Next: `Pass${index + 1}` }),
    };
  }
  return {
    label: `pass-chain-${length}`,
    definition: { StartAt: 'Pass0', States: states },
    input: { payload: 'x'.repeat(64) },
    transitionsPerExecution: length,
    expectedOutput: { payload: 'x'.repeat(64), step: length - 1 },
  };
}

/** A counter loop: Choice on `$.i`, a Pass that adds one with `States.MathAdd`, `rounds` times. */
export function choiceLoop(rounds: number): ThroughputWorkload {
  return {
    label: `choice-loop-${rounds}`,
    definition: {
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Result: { i: 0 }, Next: 'Check' },
        Check: {
          Type: 'Choice',
          Choices: [{ Variable: '$.i', NumericLessThan: rounds, Next: 'Increment' }],
          Default: 'Done',
        },
        Increment: { Type: 'Pass', Parameters: { 'i.$': 'States.MathAdd($.i, 1)' }, Next: 'Check' },
        Done: { Type: 'Succeed' },
      },
    },
    input: {},
    // Init, then Check + Increment per round, then the last Check and Done.
    transitionsPerExecution: 1 + 2 * rounds + 2,
    expectedOutput: { i: rounds },
  };
}

/**
 * `length` callback Tasks in a row. `resource` is the Task resource: `lambda:invoke.waitForTaskToken` for the
 * local engine, a Lambda ARN overridden by a local handler for the peer.
 */
export function callbackChain(length: number, task: (index: number) => Record<string, unknown>) {
  const states: Record<string, unknown> = {};
  for (let index = 0; index < length; index++) {
    states[`Task${index}`] = {
      ...task(index),
      ResultPath: null,
      ...(index === length - 1 ? { End: true } : { Next: `Task${index + 1}` }),
    };
  }
  return { StartAt: 'Task0', States: states };
}

export function percentile(sortedValues: number[], fraction: number): number {
  if (sortedValues.length === 0) return Number.NaN;
  const index = Math.min(sortedValues.length - 1, Math.max(0, Math.ceil(fraction * sortedValues.length) - 1));
  return sortedValues[index] ?? Number.NaN;
}
