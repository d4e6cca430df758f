import { describe, expect, it } from 'vitest';
import type { MapState, TaskState, WaitState } from '../../../local/sfn/engine/asl';
import { parseMachine } from '../../../local/sfn/engine/asl-parser';
import { unexpectedResultType } from '../../../local/sfn/engine/runner/failures';
import { positiveIntegerRule, readField } from '../../../local/sfn/engine/runner/field-reader';
import { runOf, stateOf } from './fake-environment';

describe('parseMachine', () => {
  it('reads each field once into its typed component, inheriting the query language', () => {
    const machine = parseMachine({
      QueryLanguage: 'JSONata',
      TimeoutSeconds: 60,
      StartAt: 'Fan',
      States: {
        Fan: {
          Type: 'Map',
          MaxConcurrency: '{% $states.input.n %}',
          ItemProcessor: {
            StartAt: 'P',
            States: { P: { Type: 'Pass', QueryLanguage: 'JSONPath', End: true } },
          },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Fan' }],
          End: true,
        },
      },
    });
    expect(machine.timeoutSeconds).toBe(60);
    const fan = machine.states.get('Fan') as MapState;
    expect(fan).toMatchObject({ type: 'Map', queryLanguage: 'JSONata', next: null });
    expect(fan.maxConcurrency).toEqual({ kind: 'expression', template: '{% $states.input.n %}' });
    expect(fan.catch).toEqual([
      {
        errorEquals: ['States.ALL'],
        next: 'Fan',
        resultPath: undefined,
        output: undefined,
        assign: undefined,
      },
    ]);
    expect(fan.itemProcessor.states.get('P')).toMatchObject({ type: 'Pass', queryLanguage: 'JSONPath' });
  });

  it('tells a literal from a path, and a JSONPath Timestamp string from a JSONata expression', () => {
    const task = stateOf<TaskState>({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      TimeoutSecondsPath: '$.t',
      HeartbeatSeconds: 5,
      End: true,
    });
    expect(task.timeoutSeconds).toEqual({ kind: 'path', path: '$.t' });
    expect(task.heartbeatSeconds).toEqual({ kind: 'literal', value: 5 });
    const wait = stateOf<WaitState>({ Type: 'Wait', Timestamp: '2026-01-01T00:00:00Z', End: true });
    expect(wait.timestamp).toEqual({ kind: 'literal', value: '2026-01-01T00:00:00Z' });
  });
});

describe('readField', () => {
  const rule = positiveIntegerRule('TimeoutSeconds');

  it('reads a literal, a JSONata expression and a path', async () => {
    const literal = stateOf<TaskState>({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      TimeoutSeconds: 9,
      End: true,
    });
    expect(await readField(runOf(literal, {}), literal.timeoutSeconds, rule)).toBe(9);
    const expression = stateOf<TaskState>(
      {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        TimeoutSeconds: '{% $states.input.t + 1 %}',
        End: true,
      },
      'JSONata',
    );
    expect(await readField(runOf(expression, { t: 2 }), expression.timeoutSeconds, rule)).toBe(3);
    const path = stateOf<TaskState>({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      InputPath: '$.in',
      TimeoutSecondsPath: '$.t',
      End: true,
    });
    expect(await readField(runOf(path, { in: { t: 4 } }), path.timeoutSeconds, rule)).toBe(4);
    expect(await readField(runOf(path, {}), undefined, rule)).toBeUndefined();
  });

  it('reports an expression of the wrong type with the one unexpected-result-type error', async () => {
    const state = stateOf<TaskState>(
      { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', TimeoutSeconds: '{% "soon" %}', End: true },
      'JSONata',
    );
    await expect(readField(runOf(state, {}), state.timeoutSeconds, rule)).rejects.toEqual(
      unexpectedResultType('TimeoutSeconds', '{% "soon" %}', 'integer', 'soon'),
    );
    expect(unexpectedResultType('TimeoutSeconds', '{% "soon" %}', 'integer', 'soon').causeText).toBe(
      "The JSONata expression '\"soon\"' specified for the field 'TimeoutSeconds' returned an unexpected result type. Expected 'integer', but was 'string' for value: \"soon\"",
    );
  });
});
