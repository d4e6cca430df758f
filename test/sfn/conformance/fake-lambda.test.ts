import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  behaviourFromDescription,
  type FakeLambda,
  pythonJsonDumps,
  startFakeLambda,
  UnknownLambdaBehaviourError,
} from '../../../local/sfn/conformance/fake-lambda';

const decode = (payload: Uint8Array | undefined) => Buffer.from(payload ?? new Uint8Array()).toString('utf8');

describe('fake Lambda Invoke API for the conformance corpus', () => {
  let lambda: FakeLambda;
  let client: LambdaClient;

  beforeAll(async () => {
    lambda = await startFakeLambda({
      functions: {
        id: 'identity',
        boom: 'raise-exception',
        custom: 'raise-custom-exception',
        big: 'large-output',
        slow: 'sleep-60s',
        bytes: 'return-bytes',
        echo: 'echo-hello-world',
      },
      region: 'us-east-1',
      accountId: '111111111111',
      sleepMillis: 200,
    });
    client = new LambdaClient({
      endpoint: lambda.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    client.destroy();
    await lambda.close();
  });

  it('returns the event unchanged from the identity function, addressed by name or full ARN', async () => {
    const event = { a: [1, 'é'], b: { c: null } };
    const byName = await client.send(
      new InvokeCommand({ FunctionName: 'id', Payload: JSON.stringify(event) }),
    );
    expect(JSON.parse(decode(byName.Payload))).toEqual(event);
    expect(byName.ExecutedVersion).toBe('$LATEST');
    const byArn = await client.send(
      new InvokeCommand({
        FunctionName: 'arn:aws:lambda:us-east-1:111111111111:function:id',
        Payload: '{"x":1}',
      }),
    );
    expect(decode(byArn.Payload)).toBe('{"x": 1}');
  });

  it('reports an unhandled Python exception the way the Lambda runtime does', async () => {
    const result = await client.send(new InvokeCommand({ FunctionName: 'boom', Payload: '{}' }));
    expect(result.FunctionError).toBe('Unhandled');
    const error = JSON.parse(decode(result.Payload));
    expect(error).toMatchObject({ errorMessage: 'Some exception was raised.', errorType: 'Exception' });
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.stackTrace).toEqual([
      '  File "/var/task/handler.py", line 2, in handler\n    raise Exception("Some exception was raised.")\n',
    ]);
    const custom = await client.send(new InvokeCommand({ FunctionName: 'custom', Payload: '{}' }));
    expect(JSON.parse(decode(custom.Payload))).toMatchObject({
      errorMessage: '',
      errorType: 'CustomException',
    });
  });

  it('answers 404 ResourceNotFoundException naming the $LATEST ARN for unknown functions', async () => {
    const missing = client.send(new InvokeCommand({ FunctionName: 'nope', Payload: '{}' }));
    await expect(missing).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(missing).rejects.toMatchObject({
      message: 'Function not found: arn:aws:lambda:us-east-1:111111111111:function:nope:$LATEST',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('returns raw bytes, oversized output and fixed values as the Python functions do', async () => {
    const bytes = await client.send(new InvokeCommand({ FunctionName: 'bytes', Payload: '{}' }));
    expect(decode(bytes.Payload)).toBe('"HelloWorld!"');
    const big = await client.send(new InvokeCommand({ FunctionName: 'big', Payload: '{}' }));
    expect(big.Payload?.length).toBe(257 * 1024);
    const echo = await client.send(new InvokeCommand({ FunctionName: 'echo', Payload: '{"in":1}' }));
    expect(JSON.parse(decode(echo.Payload))).toEqual({ Return: 'HelloWorld' });
  });

  it('sleeps before answering and counts invocations per function', async () => {
    const before = lambda.invocations.get('slow') ?? 0;
    const started = Date.now();
    const slow = await client.send(new InvokeCommand({ FunctionName: 'slow', Payload: '{"k":2}' }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(JSON.parse(decode(slow.Payload))).toEqual({ k: 2 });
    expect(lambda.invocations.get('slow')).toBe(before + 1);
  });

  it('returns the log tail when asked with LogType Tail', async () => {
    const result = await client.send(
      new InvokeCommand({ FunctionName: 'id', LogType: 'Tail', Payload: '{}' }),
    );
    expect(Buffer.from(result.LogResult ?? '', 'base64').toString('utf8')).toMatch(
      /^START RequestId: [0-9a-f-]{36}/,
    );
    const plain = await client.send(new InvokeCommand({ FunctionName: 'id', Payload: '{}' }));
    expect(plain.LogResult).toBeUndefined();
  });

  it('accepts asynchronous invocations without running the function body', async () => {
    const result = await client.send(
      new InvokeCommand({ FunctionName: 'slow', InvocationType: 'Event', Payload: '{}' }),
    );
    expect(result.StatusCode).toBe(202);
  });
});

describe('corpus Lambda behaviour descriptions', () => {
  it('maps every behaviour text of the corpus README and rejects others', () => {
    expect(behaviourFromDescription('identity: returns the invocation event (payload) unchanged')).toBe(
      'identity',
    );
    expect(behaviourFromDescription('sleeps 60 s then returns the event unchanged')).toBe('sleep-60s');
    expect(behaviourFromDescription("raises user-defined CustomException() (str(e) == '')")).toBe(
      'raise-custom-exception',
    );
    expect(() => behaviourFromDescription('deletes the database')).toThrow(UnknownLambdaBehaviourError);
  });

  it('serialises JSON with Python separators and ASCII escapes', () => {
    expect(pythonJsonDumps({ a: [1, 'é'], b: null })).toBe('{"a": [1, "\\u00e9"], "b": null}');
  });
});
