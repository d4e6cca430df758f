import { describe, expect, it } from 'vitest';
import { StatesError } from '../../../local/sfn/errors';
import { resolvePayloadTemplate } from '../../../local/sfn/jsonpath';

describe('resolvePayloadTemplate', () => {
  const input = { flagged: 7, vals: [0, 10, 20, 30, 40, 50] };

  it('resolves the AWS docs Parameters example', () => {
    const template = { flagged: true, parts: { 'first.$': '$.vals[0]', 'last3.$': '$.vals[-3:]' } };
    expect(resolvePayloadTemplate(template, { input })).toEqual({
      flagged: true,
      parts: { first: 0, last3: [30, 40, 50] },
    });
  });

  it('reads the context object, variables and intrinsic calls', () => {
    const template = {
      'name.$': '$$.Execution.Name',
      'answer.$': '$answer',
      'message.$': "States.Format('Hello, {}!', $.who)",
      list: [{ 'first.$': '$.vals[0]' }, 'literal'],
    };
    expect(
      resolvePayloadTemplate(template, {
        input: { who: 'World', vals: [3] },
        context: { Execution: { Name: 'exec-1' } },
        variables: { answer: 42 },
      }),
    ).toEqual({ name: 'exec-1', answer: 42, message: 'Hello, World!', list: [{ first: 3 }, 'literal'] });
  });

  it('leaves a .$ key with a non-string value alone', () => {
    expect(resolvePayloadTemplate({ 'x.$': 1 }, { input })).toEqual({ 'x.$': 1 });
  });

  it("fails with States.Runtime and AWS's cause when a path selects nothing", () => {
    let caught: unknown;
    try {
      resolvePayloadTemplate({ 'value.$': '$.no_such_jsonpath' }, { input: { a: 1 } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StatesError);
    expect(caught).toMatchObject({
      error: 'States.Runtime',
      causeText: `The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{"a":1}'`,
    });
  });
});
