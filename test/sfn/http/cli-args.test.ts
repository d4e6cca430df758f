import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliUsageError, parseCliArgs } from '../../../local/sfn/cli';

describe('sfn-local command line', () => {
  it('defaults to port 8083, a data directory and endpoints from the environment', () => {
    const config = parseCliArgs([], {
      AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:3001/',
      AWS_ENDPOINT_URL_EVENTBRIDGE: 'http://127.0.0.1:3002',
    });
    expect(config.port).toBe(8083);
    expect(config.host).toBe('127.0.0.1');
    expect(config.engine).toEqual({
      dataPath: join(resolve('.tenggat/sfn'), 'sfn.sqlite'),
      region: 'us-east-1',
      accountId: '123456789012',
      lambdaEndpoint: 'http://127.0.0.1:3001',
      eventBridgeEndpoint: 'http://127.0.0.1:3002',
    });
  });

  it('lets flags win over the environment', () => {
    const config = parseCliArgs(
      [
        '--port',
        '0',
        '--data',
        ':memory:',
        '--lambda-endpoint',
        'http://localhost:9000',
        '--dynamodb-endpoint',
        'http://localhost:8000',
        '--region',
        'ap-southeast-3',
        '--account',
        '111111111111',
      ],
      { AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:3001', AWS_REGION: 'eu-west-1' },
    );
    expect(config.port).toBe(0);
    expect(config.engine).toEqual({
      dataPath: ':memory:',
      region: 'ap-southeast-3',
      accountId: '111111111111',
      lambdaEndpoint: 'http://localhost:9000',
      dynamodbEndpoint: 'http://localhost:8000',
    });
  });

  it('explains bad flags', () => {
    expect(() => parseCliArgs(['--port', 'abc'], {})).toThrow(
      new CliUsageError('--port: not a port number: abc'),
    );
    expect(() => parseCliArgs(['--port', '70000'], {})).toThrow(CliUsageError);
    expect(() => parseCliArgs(['--account', '12'], {})).toThrow(/12 digits/);
    expect(() => parseCliArgs(['--lambda-endpoint', 'localhost:9000'], {})).toThrow(/not an http\(s\) URL/);
    expect(() => parseCliArgs(['--colour'], {})).toThrow(CliUsageError);
    expect(() => parseCliArgs(['stray'], {})).toThrow(CliUsageError);
  });

  it('recognises --help', () => {
    expect(parseCliArgs(['-h'], {}).help).toBe(true);
  });
});
