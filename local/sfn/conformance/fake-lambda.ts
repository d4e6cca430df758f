/**
 * A Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`) that runs the corpus's Python test
 * functions as small JS equivalents, answering with the bytes and headers the Python 3.12 runtime produces.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type LambdaBehaviour =
  | 'identity'
  | 'raise-exception'
  | 'raise-custom-exception'
  | 'large-output'
  | 'sleep-60s'
  | 'return-bytes'
  | 'echo-hello-world';

export class UnknownLambdaBehaviourError extends Error {
  constructor(readonly description: string) {
    super(`no JS equivalent for the Lambda behaviour: ${description}`);
    this.name = 'UnknownLambdaBehaviourError';
  }
}

/** Maps the corpus's `behaviour` text (see its README) to one of the implemented functions. */
export function behaviourFromDescription(description: string): LambdaBehaviour {
  const rules: [RegExp, LambdaBehaviour][] = [
    [/^identity/, 'identity'],
    [/^raises Python Exception/, 'raise-exception'],
    [/^raises user-defined CustomException/, 'raise-custom-exception'],
    [/^returns a 257 KiB/, 'large-output'],
    [/^sleeps 60 s/, 'sleep-60s'],
    [/^returns the Python bytes/, 'return-bytes'],
    [/^fixed value: returns \{"Return": "HelloWorld"\}/, 'echo-hello-world'],
  ];
  const match = rules.find(([pattern]) => pattern.test(description));
  if (!match) throw new UnknownLambdaBehaviourError(description);
  return match[1];
}

/** `json.dumps` as Python writes it: `", "` and `": "` separators, non-ASCII escaped. */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value ?? null).replace(
      /[\u007f-\uffff]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  const entries = Object.entries(value).map(
    ([key, item]) => `${pythonJsonDumps(key)}: ${pythonJsonDumps(item)}`,
  );
  return `{${entries.join(', ')}}`;
}

export interface FakeLambdaOptions {
  /** Function name → behaviour; any other name answers 404 `ResourceNotFoundException`. */
  functions: Record<string, LambdaBehaviour>;
  region: string;
  accountId: string;
  /** How long `sleep-60s` sleeps; the corpus needs the real 60 s to exceed `TimeoutSeconds`. */
  sleepMillis?: number;
}

export interface FakeLambda {
  url: string;
  /** Number of invocations that reached a function, by function name. */
  invocations: Map<string, number>;
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/** Accepts a name, a partial ARN (`123:function:name`) or a full ARN, each with an optional qualifier. */
function parseFunctionName(raw: string): { name: string; qualifier?: string } {
  const parts = raw.split(':');
  const functionIndex = parts.indexOf('function');
  const rest = functionIndex >= 0 ? parts.slice(functionIndex + 1) : parts;
  const [name = '', qualifier] = rest;
  return qualifier === undefined ? { name } : { name, qualifier };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function pythonError(errorType: string, errorMessage: string, line: number, code: string): string {
  return pythonJsonDumps({
    errorMessage,
    errorType,
    requestId: randomUUID(),
    stackTrace: [`  File "/var/task/handler.py", line ${line}, in handler\n    ${code}\n`],
  });
}

export async function startFakeLambda(options: FakeLambdaOptions): Promise<FakeLambda> {
  const invocations = new Map<string, number>();
  const sleepMillis = options.sleepMillis ?? 60_000;

  const reply = (
    response: ServerResponse,
    status: number,
    body: string | Buffer,
    headers: Record<string, string>,
  ) => {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    response.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': bytes.length,
      'x-amzn-RequestId': randomUUID(),
      ...headers,
    });
    response.end(bytes);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const match = INVOKE_PATH.exec((request.url ?? '').split('?')[0] ?? '');
    const body = await readBody(request);
    if (request.method !== 'POST' || !match?.[1]) {
      reply(response, 404, pythonJsonDumps({ message: 'Not Found' }), {
        'x-amzn-ErrorType': 'UnknownOperationException',
      });
      return;
    }
    const { name, qualifier } = parseFunctionName(decodeURIComponent(match[1]));
    const behaviour = options.functions[name];
    if (!behaviour) {
      const arn = `arn:aws:lambda:${options.region}:${options.accountId}:function:${name}:${qualifier ?? '$LATEST'}`;
      reply(response, 404, JSON.stringify({ Type: 'User', message: `Function not found: ${arn}` }), {
        'x-amzn-ErrorType': 'ResourceNotFoundException',
      });
      return;
    }
    invocations.set(name, (invocations.get(name) ?? 0) + 1);
    const invocationType = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (invocationType === 'Event') return reply(response, 202, '', {});
    if (invocationType === 'DryRun') return reply(response, 204, '', {});

    const requestId = randomUUID();
    const version: Record<string, string> = {
      'X-Amz-Executed-Version': '$LATEST',
      'x-amzn-RequestId': requestId,
    };
    if (String(request.headers['x-amz-log-type'] ?? '') === 'Tail') {
      // The last 4 KB of the invocation's log, base64: the runtime's START/END/REPORT lines.
      const log =
        `START RequestId: ${requestId} Version: $LATEST\nEND RequestId: ${requestId}\n` +
        `REPORT RequestId: ${requestId}\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\n`;
      version['X-Amz-Log-Result'] = Buffer.from(log).toString('base64');
    }
    const text = body.toString('utf8');
    const event: unknown = text === '' ? null : JSON.parse(text);
    switch (behaviour) {
      case 'identity':
        return reply(response, 200, pythonJsonDumps(event), version);
      case 'echo-hello-world':
        return reply(response, 200, pythonJsonDumps({ Return: 'HelloWorld' }), version);
      case 'return-bytes':
        // The runtime passes returned bytes through untouched.
        return reply(response, 200, '"HelloWorld!"', version);
      case 'large-output':
        return reply(response, 200, 'a'.repeat(257 * 1024), version);
      case 'raise-exception':
        return reply(
          response,
          200,
          pythonError(
            'Exception',
            'Some exception was raised.',
            2,
            'raise Exception("Some exception was raised.")',
          ),
          { ...version, 'X-Amz-Function-Error': 'Unhandled' },
        );
      case 'raise-custom-exception':
        return reply(response, 200, pythonError('CustomException', '', 9, 'raise CustomException()'), {
          ...version,
          'X-Amz-Function-Error': 'Unhandled',
        });
      case 'sleep-60s': {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, sleepMillis);
          // The caller gave up (task timeout): free the slot instead of sleeping on.
          response.on('close', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        if (!response.writableEnded && !response.destroyed)
          reply(response, 200, pythonJsonDumps(event), version);
        return;
      }
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) return response.destroy();
      reply(
        response,
        400,
        JSON.stringify({ message: error instanceof Error ? error.message : String(error) }),
        {
          'x-amzn-ErrorType': 'InvalidRequestContentException',
        },
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    invocations,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
