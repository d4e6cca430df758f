import { describe, expect, it } from 'vitest';
import { StatesError } from '../../../local/sfn/errors';
import { evaluateIntrinsic, IntrinsicFailure, parseIntrinsic } from '../../../local/sfn/jsonpath';

const run = (expression: string, input: unknown = {}) => evaluateIntrinsic(expression, { input });

function failureOf(action: () => unknown): StatesError {
  try {
    action();
  } catch (error) {
    if (error instanceof StatesError) return error;
    throw error;
  }
  throw new Error('expected a StatesError');
}

describe('evaluateIntrinsic', () => {
  it('formats strings with {} placeholders and escapes', () => {
    expect(run("States.Format('Hello, my name is {}.', $.name)", { name: 'Arnav' })).toBe(
      'Hello, my name is Arnav.',
    );
    expect(run("States.Format('\\{literal\\} {} and \\'quoted\\'', 3)")).toBe("{literal} 3 and 'quoted'");
    expect(run("States.Format('{} {} {}', true, null, $.o)", { o: { a: 1, b: [1, 2] } })).toBe(
      'true null {a=1, b=[1, 2]}',
    );
  });

  it('takes the format string from a variable or a path, as AWS does', () => {
    const scope = { input: { template: '{} and {}' }, context: { Map: { Item: { Value: 'Pikachu' } } } };
    expect(
      evaluateIntrinsic('States.Format($AnswerTemplate, $$.Map.Item.Value)', {
        ...scope,
        variables: { AnswerTemplate: "It's {}!" },
      }),
    ).toBe("It's Pikachu!");
    expect(evaluateIntrinsic('States.Format($.template, 1, 2)', scope)).toBe('1 and 2');
    expect(failureOf(() => run('States.Format($.template, 1)', { template: 42 })).error).toBe(
      'States.IntrinsicFailure',
    );
  });

  it('converts between strings and JSON', () => {
    expect(run('States.StringToJson($.s)', { s: '{"number": 20}' })).toEqual({ number: 20 });
    expect(run('States.StringToJson($.s)', { s: '' })).toBeNull();
    expect(run('States.JsonToString($.o)', { o: { foo: 'bar', n: [1] } })).toBe('{"foo":"bar","n":[1]}');
  });

  it('builds and inspects arrays', () => {
    expect(run("States.Array('Foo', 2020, $.s, null)", { s: 'x' })).toEqual(['Foo', 2020, 'x', null]);
    expect(run('States.ArrayPartition($.a, 4)', { a: [1, 2, 3, 4, 5, 6, 7, 8, 9] })).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9],
    ]);
    expect(run('States.ArrayContains($.a, $.v)', { a: [1, { b: 2 }], v: { b: 2 } })).toBe(true);
    expect(run('States.ArrayRange(1, 9, 2)')).toEqual([1, 3, 5, 7, 9]);
    expect(run('States.ArrayRange(0, 9, 3)')).toEqual([0, 3, 6, 9]);
    expect(run('States.ArrayGetItem($.a, 5)', { a: [1, 2, 3, 4, 5, 6, 7, 8, 9] })).toBe(6);
    expect(run('States.ArrayLength($.a)', { a: [1, 2, 3] })).toBe(3);
    expect(run('States.ArrayUnique($.a)', { a: [1, 2, 3, 3, 3, 3, 3, 3, 4] })).toEqual([1, 2, 3, 4]);
  });

  it('encodes, decodes and hashes', () => {
    expect(run("States.Base64Encode('Data to encode')")).toBe('RGF0YSB0byBlbmNvZGU=');
    expect(run("States.Base64Decode('RGVjb2RlZCBkYXRh')")).toBe('Decoded data');
    expect(run("States.Hash('input data', 'MD5')")).toBe('812f45842bc6d66ee14572ce20db8e86');
    expect(run("States.Hash('input data', 'SHA-1')")).toBe('aaff4a450a104cd177d28d18d74485e8cae074b7');
  });

  it('merges objects shallowly', () => {
    expect(
      run('States.JsonMerge($.a, $.b, false)', {
        a: { a: { a1: 1, a2: 2 }, b: 2 },
        b: { a: { a3: 1, a4: 2 }, c: 3 },
      }),
    ).toEqual({ a: { a3: 1, a4: 2 }, b: 2, c: 3 });
  });

  it('adds and draws numbers, rounding decimals half up as AWS does', () => {
    expect(run('States.MathAdd(111, -1)')).toBe(110);
    expect(run('States.MathAdd($.x, $.y)', { x: 1.49, y: 1.5 })).toBe(3);
    expect(run('States.MathAdd($.x, 0)', { x: -1.5 })).toBe(-1);
    const drawn = run('States.MathRandom(1, 999)');
    expect(typeof drawn === 'number' && drawn >= 1 && drawn < 999).toBe(true);
    expect(run('States.MathRandom(0, 999, 3)')).toBe(run('States.MathRandom(0, 999, 3)'));
  });

  it('splits strings on any delimiter character and drops empty tokens', () => {
    expect(run("States.StringSplit('1,2,3,4,5', ',')")).toEqual(['1', '2', '3', '4', '5']);
    expect(run("States.StringSplit('This.is+a,test=string', '.+,=')")).toEqual([
      'This',
      'is',
      'a',
      'test',
      'string',
    ]);
    expect(run("States.StringSplit('a,,b', ',')")).toEqual(['a', 'b']);
  });

  it('makes v4 UUIDs', () => {
    expect(run('States.UUID()')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('evaluates nested calls and context paths', () => {
    const value = evaluateIntrinsic(
      "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))",
      { input: {}, context: { StateMachine: { Name: 'my-state-machine' } } },
    );
    expect(value).toBe('machine');
  });

  it('parses arguments exactly', () => {
    expect(parseIntrinsic("States.Format('a\\'b', $.x[0,1], -1.5, true, null)").args).toEqual([
      { kind: 'string', value: "a'b", raw: "a\\'b" },
      { kind: 'path', path: '$.x[0,1]' },
      { kind: 'number', value: -1.5 },
      { kind: 'boolean', value: true },
      { kind: 'null' },
    ]);
  });

  it('fails with States.IntrinsicFailure on bad arguments and limits', () => {
    expect(failureOf(() => run('States.ArrayRange(0, 2000, 1)'))).toBeInstanceOf(IntrinsicFailure);
    expect(failureOf(() => run("States.Hash('x', 'SHA-999')")).error).toBe('States.IntrinsicFailure');
    expect(failureOf(() => run('States.ArrayGetItem($.a, 3)', { a: [1] })).error).toBe(
      'States.IntrinsicFailure',
    );
    expect(failureOf(() => run("States.Format('{} {}', 1)")).error).toBe('States.IntrinsicFailure');
    expect(failureOf(() => run("States.StringToJson('{not json')")).error).toBe('States.IntrinsicFailure');
    expect(failureOf(() => run('States.ArrayLength($.s)', { s: 'text' })).error).toBe(
      'States.IntrinsicFailure',
    );
    expect(failureOf(() => run('States.Nope(1)')).error).toBe('States.IntrinsicFailure');
  });

  it('fails with States.Runtime when a path argument selects nothing', () => {
    expect(failureOf(() => run('States.ArrayLength($.missing)', {})).error).toBe('States.Runtime');
  });
});
