import { describe, expect, it } from 'vitest';
import {
  type DefinitionProblem,
  formatInvalidDefinitionMessage,
  validateDefinition,
} from '../../../local/sfn/jsonpath';
import { corpusAvailable, loadCorpus } from './corpus-walker';

const machine = (states: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  StartAt: Object.keys(states)[0],
  States: states,
  ...extra,
});

const summary = (problems: DefinitionProblem[]) =>
  problems.map((p) => `${p.code}|${p.message}|${p.location ?? ''}`);

describe('validateDefinition', () => {
  it('accepts a simple valid machine', () => {
    const definition = machine({
      First: { Type: 'Pass', Result: 1, Next: 'Check' },
      Check: {
        Type: 'Choice',
        Choices: [{ Variable: '$', NumericEquals: 1, Next: 'Done' }],
        Default: 'Failed',
      },
      Done: { Type: 'Succeed' },
      Failed: { Type: 'Fail', Error: 'E', Cause: 'C' },
    });
    expect(validateDefinition(definition)).toEqual([]);
  });

  it('requires StartAt and States', () => {
    expect(summary(validateDefinition({ States: { A: { Type: 'Succeed' } } }))).toEqual([
      'SCHEMA_VALIDATION_FAILED|These fields are required: [StartAt]|/',
    ]);
    expect(validateDefinition('not an object')[0]?.code).toBe('INVALID_JSON_DESCRIPTION');
  });

  it('rejects unknown state types and unsupported fields', () => {
    expect(summary(validateDefinition(machine({ A: { Type: 'Sleep', End: true } })))).toEqual([
      "SCHEMA_VALIDATION_FAILED|Field 'Type' must be one of [Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map]|/States/A/Type",
    ]);
    expect(
      summary(validateDefinition(machine({ A: { Type: 'Pass', TimeoutSeconds: 3, End: true } }))),
    ).toEqual(["SCHEMA_VALIDATION_FAILED|Field 'TimeoutSeconds' is not supported|/States/A"]);
  });

  it('reports missing targets and unreachable states the way AWS words them', () => {
    const problems = validateDefinition(
      machine({ pass1: { Type: 'Pass', Next: 'pass3' }, pass2: { Type: 'Pass', End: true } }),
    );
    expect(formatInvalidDefinitionMessage(problems)).toBe(
      `Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State "pass2" is not reachable. at /States/pass2'`,
    );
  });

  it('reports a workflow without a terminal state', () => {
    const problems = validateDefinition(
      machine({ A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' } }),
    );
    expect(summary(problems)).toEqual(['MISSING_END_STATE|Workflow has no terminal state|']);
    expect(problems.map(String)).toEqual(['MISSING_END_STATE: Workflow has no terminal state']);
  });

  it('requires exactly one of Next and End', () => {
    expect(
      validateDefinition(machine({ A: { Type: 'Pass', Next: 'B', End: true }, B: { Type: 'Succeed' } })),
    ).toHaveLength(1);
    expect(summary(validateDefinition(machine({ A: { Type: 'Pass' }, B: { Type: 'Succeed' } })))).toContain(
      'SCHEMA_VALIDATION_FAILED|These fields are required: [Next | End]|/States/A',
    );
  });

  it('keeps JSONata-only and JSONPath-only fields in their language', () => {
    expect(summary(validateDefinition(machine({ A: { Type: 'Pass', Output: {}, End: true } })))).toEqual([
      "SCHEMA_VALIDATION_FAILED|The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage|/States/A",
    ]);
    const jsonata = machine({ A: { Type: 'Pass', Parameters: {}, End: true } }, { QueryLanguage: 'JSONata' });
    expect(summary(validateDefinition(jsonata))).toEqual([
      "SCHEMA_VALIDATION_FAILED|The QueryLanguage is set to 'JSONata', but field 'Parameters' is only supported for the 'JSONPath' QueryLanguage|/States/A",
    ]);
    const downgrade = machine(
      { A: { Type: 'Pass', QueryLanguage: 'JSONPath', End: true } },
      { QueryLanguage: 'JSONata' },
    );
    expect(validateDefinition(downgrade)).toHaveLength(1);
    const defaulted = machine({ A: { Type: 'Pass', Output: '{% 1 + 1 %}', End: true } });
    expect(validateDefinition(defaulted, { queryLanguageDefault: 'JSONata' })).toEqual([]);
  });

  it('rejects invalid JSONPath and intrinsic syntax in path fields', () => {
    expect(
      summary(validateDefinition(machine({ A: { Type: 'Pass', InputPath: 'a.b', End: true } }))),
    ).toEqual([
      "SCHEMA_VALIDATION_FAILED|Value is not a valid JSONPath: Reference path didn't start with '$'|/States/A/InputPath",
    ]);
    expect(
      summary(validateDefinition(machine({ A: { Type: 'Pass', ResultPath: '$.a[*]', End: true } }))),
    ).toEqual([
      'SCHEMA_VALIDATION_FAILED|Value is not a Reference Path: Reference paths must select a single node|/States/A/ResultPath',
    ]);
    const badVariable = machine({
      C: { Type: 'Choice', Choices: [{ Variable: 'Test', StringMatches: 'Test', Next: 'S' }], Default: 'S' },
      S: { Type: 'Succeed' },
    });
    expect(summary(validateDefinition(badVariable))).toEqual([
      "SCHEMA_VALIDATION_FAILED|Value is not a Reference Path: Reference path didn't start with '$'|/States/C/Choices[0]/Variable",
    ]);
    const badParameters = machine({
      A: { Type: 'Pass', Parameters: { 'x.$': 'States.Nope(1)' }, End: true },
    });
    expect(summary(validateDefinition(badParameters))).toEqual([
      "SCHEMA_VALIDATION_FAILED|The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call|/States/A/Parameters",
    ]);
  });

  it('rejects JSONata expressions that do not parse', () => {
    const definition = machine(
      { Main: { Type: 'Pass', Output: '{% 1 + %}', End: true } },
      { QueryLanguage: 'JSONata' },
    );
    const [problem] = validateDefinition(definition);
    expect(problem?.code).toBe('INVALID_JSONATA_EXPRESSION');
    expect(problem?.location).toBe('/States/Main/Output');
  });

  it('checks Retry and Catch shapes and that States.ALL comes last', () => {
    const task = (extra: Record<string, unknown>) =>
      machine({
        T: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:us-east-1:111111111111:function:f',
          End: true,
          ...extra,
        },
        H: { Type: 'Succeed' },
      });
    const allFirst = task({
      Catch: [
        { ErrorEquals: ['States.ALL'], Next: 'H' },
        { ErrorEquals: ['Custom'], Next: 'H' },
      ],
    });
    expect(summary(validateDefinition(allFirst))).toEqual([
      "SCHEMA_VALIDATION_FAILED|'States.ALL' must appear alone in its 'ErrorEquals' array and in the last Retrier or Catcher|/States/T/Catch[0]/ErrorEquals",
    ]);
    const badRetrier = task({
      Retry: [{ ErrorEquals: [], MaxAttempts: -1 }],
      Catch: [{ ErrorEquals: ['X'], Next: 'H' }],
    });
    expect(summary(validateDefinition(badRetrier))).toEqual([
      "SCHEMA_VALIDATION_FAILED|Field 'ErrorEquals' must be a non-empty array of strings|/States/T/Retry[0]/ErrorEquals",
      "SCHEMA_VALIDATION_FAILED|Field 'MaxAttempts' must be an integer of at least 0|/States/T/Retry[0]/MaxAttempts",
    ]);
    expect(validateDefinition(task({ Catch: [{ ErrorEquals: ['X'] }] })).map((p) => p.message)).toContain(
      'These fields are required: [Next]',
    );
  });

  it('validates Parallel branches and Map processors as their own scopes', () => {
    const definition = machine({
      P: {
        Type: 'Parallel',
        Branches: [{ StartAt: 'B1', States: { B1: { Type: 'Pass', Next: 'Nowhere' } } }],
        End: true,
      },
    });
    expect(summary(validateDefinition(definition))).toEqual([
      "MISSING_TRANSITION_TARGET|Missing 'Next' target: Nowhere|/States/P/Branches[0]/States/B1/Next",
      'MISSING_END_STATE|Workflow has no terminal state|',
    ]);
  });

  it('rejects duplicate state names, Map Parameters with ItemSelector and fields duplicated by .$', () => {
    const definition = machine({
      M: {
        Type: 'Map',
        Parameters: { 'a.$': '$.x', a: 1 },
        ItemSelector: {},
        ItemProcessor: { StartAt: 'M', States: { M: { Type: 'Succeed' } } },
        End: true,
      },
    });
    expect(summary(validateDefinition(definition))).toEqual([
      "SCHEMA_VALIDATION_FAILED|The field 'a' is duplicated after evaluation of 'a.$'|/States/M/Parameters",
      'SCHEMA_VALIDATION_FAILED|Duplicate State name: M|/States/M/ItemProcessor/States/M',
      'SCHEMA_VALIDATION_FAILED|At most one of these fields may be provided: [ItemSelector, Parameters]|/States/M',
    ]);
  });

  it('requires a resource ARN on Task states and string comments', () => {
    const definition = machine({ T: { Type: 'Task', Resource: 'my-function', Comment: 5, End: true } });
    expect(summary(validateDefinition(definition))).toEqual([
      "SCHEMA_VALIDATION_FAILED|Field 'Comment' must be a string|/States/T/Comment",
      'SCHEMA_VALIDATION_FAILED|Value is not a valid resource ARN|/States/T/Resource',
    ]);
    const optimized = machine({ T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } });
    expect(validateDefinition(optimized)).toEqual([]);
  });

  it.runIf(corpusAvailable())('accepts every definition AWS accepted in the recorded corpus', () => {
    const rejected = loadCorpus()
      .map((corpusCase) => ({ name: corpusCase.name, problems: validateDefinition(corpusCase.definition) }))
      .filter((result) => result.problems.length > 0)
      .map((result) => `${result.name}: ${formatInvalidDefinitionMessage(result.problems)}`);
    expect(rejected).toEqual([]);
  });
});
