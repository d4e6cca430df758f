import { describe, expect, it } from 'vitest';
import { StatesError } from '../../../local/sfn/errors';
import { evaluateChoiceRule, isValidTimestamp, stringMatches } from '../../../local/sfn/jsonpath';

const decide = (rule: Record<string, unknown>, input: unknown, variables: Record<string, unknown> = {}) =>
  evaluateChoiceRule(rule, { input, variables });

describe('evaluateChoiceRule', () => {
  it('compares strings, numbers, booleans and timestamps of the right type only', () => {
    expect(decide({ Variable: '$.v', StringEquals: 'a' }, { v: 'a' })).toBe(true);
    expect(decide({ Variable: '$.v', StringLessThan: 'b' }, { v: 'a' })).toBe(true);
    expect(decide({ Variable: '$.v', NumericEquals: 1 }, { v: 1.0 })).toBe(true);
    expect(decide({ Variable: '$.v', NumericEquals: 1 }, { v: '1' })).toBe(false);
    expect(decide({ Variable: '$.v', NumericGreaterThanEquals: 2 }, { v: 2 })).toBe(true);
    expect(decide({ Variable: '$.v', BooleanEquals: false }, { v: 0 })).toBe(false);
    expect(
      decide({ Variable: '$.v', TimestampLessThan: '2012-10-09T19:00:56Z' }, { v: '2012-10-09T19:00:55Z' }),
    ).toBe(true);
    expect(
      decide(
        { Variable: '$.v', TimestampEquals: '2012-10-09T19:00:55Z' },
        { v: '2012-10-09T21:00:55+02:00' },
      ),
    ).toBe(true);
    expect(decide({ Variable: '$.v', TimestampEquals: '2012-10-09T19:00:55Z' }, { v: 1 })).toBe(false);
  });

  it('supports the Path variants and variables', () => {
    expect(decide({ Variable: '$.v', NumericLessThanPath: '$.limit' }, { v: 1, limit: 2 })).toBe(true);
    expect(decide({ Variable: '$limit', NumericEqualsPath: '$.v' }, { v: 3 }, { limit: 3 })).toBe(true);
  });

  it('answers the type tests', () => {
    expect(decide({ Variable: '$.v', IsNull: true }, { v: null })).toBe(true);
    expect(decide({ Variable: '$.v', IsNull: false }, { v: 0 })).toBe(true);
    expect(decide({ Variable: '$.v', IsPresent: true }, {})).toBe(false);
    expect(decide({ Variable: '$.v', IsPresent: false }, {})).toBe(true);
    expect(decide({ Variable: '$.v', IsNumeric: true }, { v: 1.5 })).toBe(true);
    expect(decide({ Variable: '$.v', IsString: true }, { v: '' })).toBe(true);
    expect(decide({ Variable: '$.v', IsBoolean: true }, { v: 'true' })).toBe(false);
    expect(decide({ Variable: '$.v', IsTimestamp: true }, { v: '2016-03-14T01:59:00Z' })).toBe(true);
  });

  it('matches wildcards with StringMatches', () => {
    expect(decide({ Variable: '$.v', StringMatches: 'log-*.txt' }, { v: 'log-2024.txt' })).toBe(true);
    expect(stringMatches('a*b', 'a\\*b')).toBe(true);
    expect(stringMatches('axb', 'a\\*b')).toBe(false);
    expect(stringMatches('a.b', '*.b')).toBe(true);
  });

  it('combines rules with And, Or and Not', () => {
    const rule = {
      And: [
        { Variable: '$.n', NumericGreaterThan: 1 },
        { Not: { Variable: '$.s', StringEquals: 'no' } },
        {
          Or: [
            { Variable: '$.b', BooleanEquals: true },
            { Variable: '$.missing', IsPresent: true },
          ],
        },
      ],
    };
    expect(decide(rule, { n: 2, s: 'yes', b: true })).toBe(true);
    expect(decide(rule, { n: 2, s: 'no', b: true })).toBe(false);
  });

  it('fails with States.Runtime when the Variable path selects nothing', () => {
    expect(() => decide({ Variable: '$.missing', StringEquals: 'a' }, {})).toThrow(StatesError);
  });
});

describe('isValidTimestamp', () => {
  it("accepts AWS's ISO-8601 extended offset date-times", () => {
    for (const value of [
      '2016-03-14T01:59:00Z',
      '2016-03-14T01:59:00.123456+01:00',
      '2024-02-29T23:59:59-05:30',
    ]) {
      expect(isValidTimestamp(value), value).toBe(true);
    }
  });

  it('rejects the forms AWS rejected in the corpus', () => {
    for (const value of [
      '2016-13-05T21:29:29Z',
      '2016-12-05T25:29:29Z',
      '2016-12-05T21:29:29',
      '2016-12-05 21:29:29Z',
      '05-12-2016T21:29:29Z',
      '2023-02-30T00:00:00Z',
      '2023-02-24 12:15:56.832957',
      17,
    ]) {
      expect(isValidTimestamp(value), String(value)).toBe(false);
    }
  });
});
