import { describe, expect, it } from 'vitest';
import {
  EventPatternError,
  matchesEventPattern,
  validateEventPattern,
} from '../../local/cloud/event-pattern';

/** The example event of AWS's "Content filtering in Amazon EventBridge event patterns" pages, extended. */
const event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'terminated',
    'c-count': 5,
    'd-count': 0,
    'x-limit': 301.8,
    'source-ip': '10.0.0.123',
    'ipv6-source': '2001:db8::1',
    FileName: 'dir/image.PNG',
    service: 'EventBridge',
    eventVersion: '',
    responseElements: null,
    tags: ['alpha', 'beta'],
    items: [{ kind: 'url', locator: 'https://a.example' }, { kind: 'account' }],
  },
};

const cases: [string, Record<string, unknown>, boolean][] = [
  ['exact value', { source: ['aws.ec2'] }, true],
  ['exact value, other', { source: ['aws.s3'] }, false],
  ['any of a list', { detail: { state: ['running', 'terminated'] } }, true],
  ['and across fields', { source: ['aws.ec2'], detail: { state: ['running'] } }, false],
  ['numbers are not strings', { detail: { 'c-count': ['5'] } }, false],
  ['number exact', { detail: { 'c-count': [5] } }, true],
  ['empty string', { detail: { eventVersion: [''] } }, true],
  ['null value', { detail: { responseElements: [null] } }, true],
  ['empty string does not match null', { detail: { responseElements: [''] } }, false],
  ['prefix', { time: [{ prefix: '2017-12-22' }] }, true],
  ['prefix, no', { time: [{ prefix: '2018' }] }, false],
  ['prefix ignoring case', { detail: { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] } }, true],
  ['suffix', { detail: { FileName: [{ suffix: '.png' }] } }, false],
  ['suffix ignoring case', { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, true],
  ['equals-ignore-case', { detail: { state: [{ 'equals-ignore-case': 'TERMINATED' }] } }, true],
  ['wildcard', { detail: { FileName: [{ wildcard: 'dir/*.PNG' }] } }, true],
  ['wildcard, no', { detail: { FileName: [{ wildcard: 'other/*' }] } }, false],
  ['wildcard with an escaped star', { detail: { FileName: [{ wildcard: 'dir/\\*.PNG' }] } }, false],
  ['anything-but a string', { detail: { state: [{ 'anything-but': 'initializing' }] } }, true],
  ['anything-but the value', { detail: { state: [{ 'anything-but': 'terminated' }] } }, false],
  ['anything-but a list', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, true],
  ['anything-but a number', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, true],
  ['anything-but prefix', { region: [{ 'anything-but': { prefix: 'us-' } }] }, false],
  ['anything-but suffix', { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } }, true],
  [
    'anything-but ignoring case',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['TERMINATED'] } }] } },
    false,
  ],
  ['anything-but wildcard', { detail: { FileName: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, true],
  ['anything-but on a missing field', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
  ['numeric range', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, true],
  ['numeric range, no', { detail: { 'd-count': [{ numeric: ['<', 10, '>', 0] }] } }, false],
  ['numeric equals', { detail: { 'x-limit': [{ numeric: ['=', 301.8] }] } }, true],
  ['numeric on a string', { detail: { state: [{ numeric: ['>', 0] }] } }, false],
  ['exists', { detail: { state: [{ exists: true }] } }, true],
  ['does not exist', { detail: { 'no-such-field': [{ exists: false }] } }, true],
  ['exists false on a present field', { detail: { state: [{ exists: false }] } }, false],
  ['cidr', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, true],
  ['cidr, other network', { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, false],
  ['cidr IPv6', { detail: { 'ipv6-source': [{ cidr: '2001:db8::/32' }] } }, true],
  ['an array field matches any element', { detail: { tags: ['beta'] } }, true],
  ['resources array', { resources: [{ prefix: 'arn:aws:ec2:' }] }, true],
  ['nested arrays of objects are flattened', { detail: { items: { kind: ['account'] } } }, true],
  ['flattened exists', { detail: { items: { locator: [{ exists: true }] } } }, true],
  ['$or', { detail: { $or: [{ 'c-count': [{ numeric: ['>', 100] }] }, { state: ['terminated'] }] } }, true],
  [
    '$or, none',
    { detail: { $or: [{ 'c-count': [{ numeric: ['>', 100] }] }, { state: ['running'] }] } },
    false,
  ],
  ['$or and a sibling', { source: ['aws.s3'], $or: [{ region: ['us-west-1'] }, { account: ['1'] }] }, false],
  ['$or at the top', { $or: [{ source: ['aws.s3'] }, { 'detail-type': [{ prefix: 'EC2' }] }] }, true],
  ['a list mixing matchers', { detail: { state: [{ prefix: 'run' }, 'terminated'] } }, true],
];

describe('EventBridge event patterns (AWS documented examples)', () => {
  it.each(cases)('%s', (_name, pattern, expected) => {
    validateEventPattern(pattern);
    expect(matchesEventPattern(pattern, event)).toBe(expected);
  });

  it.each([
    ['an unknown operator', { source: [{ contains: 'x' }] }],
    ['a scalar instead of a list', { source: 'aws.ec2' }],
    ['a bad numeric operator', { detail: { 'c-count': [{ numeric: ['~', 1] }] } }],
    ['$or with one branch', { $or: [{ source: ['a'] }] }],
    ['exists with a string', { detail: { state: [{ exists: 'yes' }] } }],
  ])('refuses %s', (_name, pattern) => {
    expect(() => validateEventPattern(pattern as Record<string, unknown>)).toThrow(EventPatternError);
  });
});
