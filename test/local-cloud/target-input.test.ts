import { describe, expect, it } from 'vitest';
import { readJsonPath, TargetInputError, targetInputFor } from '../../local/cloud/target-input';

/** AWS's input transformation example event (eb-transform-target-input). */
const event = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING', count: 3, tags: ['a', 'b'] },
};
const rule = {
  name: 'r',
  arn: 'arn:aws:events:us-east-1:000000000000:rule/r',
  ingestionTime: '2015-11-11T21:29:55Z',
};
const transform = (inputTemplate: string, inputPathsMap: Record<string, string> = {}) =>
  targetInputFor(
    { input: undefined, inputPath: undefined, inputTransformer: { inputPathsMap, inputTemplate } },
    event,
    rule,
  );
const paths = { instance: '$.detail.instance-id', state: '$.detail.state', count: '$.detail.count' };

describe('what a rule target receives', () => {
  it('the whole event by default, Input as given, InputPath as JSON', () => {
    const none = { input: undefined, inputPath: undefined, inputTransformer: undefined };
    expect(JSON.parse(targetInputFor(none, event, rule))).toEqual(event);
    expect(targetInputFor({ ...none, input: '{"fixed":true}' }, event, rule)).toBe('{"fixed":true}');
    expect(targetInputFor({ ...none, inputPath: '$.detail.state' }, event, rule)).toBe('"RUNNING"');
    expect(targetInputFor({ ...none, inputPath: '$.detail.tags[1]' }, event, rule)).toBe('"b"');
  });

  it.each([
    [
      'a JSON template: values in and out of quotes',
      '{"instance": <instance>, "note": "<instance> is in state <state>", "n": <count>}',
      '{"instance": "i-0123456789", "note": "i-0123456789 is in state RUNNING", "n": 3}',
    ],
    [
      'a JSON string template keeps its quotes',
      '"instance <instance> is in <state>"',
      '"instance i-0123456789 is in RUNNING"',
    ],
    ['a plain text template', 'instance <instance> is in <state>', 'instance i-0123456789 is in RUNNING'],
    [
      'escaped quotes inside a string',
      '"<instance> is in state \\"<state>\\""',
      '"i-0123456789 is in state \\"RUNNING\\""',
    ],
    ['a path that is not there is null', '{"missing": <missing>}', '{"missing": null}'],
    [
      'predefined rule variables',
      '{"rule": "<aws.events.rule-name>", "at": "<aws.events.event.ingestion-time>"}',
      '{"rule": "r", "at": "2015-11-11T21:29:55Z"}',
    ],
  ])('%s', (_name, template, expected) => {
    expect(transform(template, { ...paths, missing: '$.detail.nope' })).toBe(expected);
  });

  it('inserts the whole event unescaped with <aws.events.event.json>, without detail for <aws.events.event>', () => {
    const out = JSON.parse(transform('{"e": <aws.events.event.json>, "bare": <aws.events.event>}'));
    expect(out.e).toEqual(event);
    expect(out.bare.detail).toBeUndefined();
    expect(out.bare.source).toBe('aws.ec2');
  });

  it("reads EventBridge's JSON path subset and refuses the rest", () => {
    expect(readJsonPath(event, '$')).toEqual(event);
    expect(readJsonPath(event, "$['detail-type']")).toBe('EC2 Instance State-change Notification');
    expect(readJsonPath(event, '$.detail.nope.deeper')).toBeUndefined();
    expect(() => readJsonPath(event, 'detail')).toThrow(TargetInputError);
    expect(() => readJsonPath(event, '$..state')).toThrow(TargetInputError);
  });
});
