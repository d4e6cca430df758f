import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Lambda Invoke API for tests: `POST /<scope>/2015-03-31/functions/<name>/invocations`. Each scope (one
 * per test case) maps function names to the behaviours of the conformance corpus's Python handlers.
 */
export type LambdaBehaviour = (event: unknown) => Promise<LambdaReply> | LambdaReply;

export interface LambdaReply {
  status?: number;
  body: string;
  functionError?: boolean;
  errorType?: string;
}

/** Python's `json.dumps` spacing, which the corpus's Content-Length headers were measured with. */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([key, entry]) => `${pythonJson(key)}: ${pythonJson(entry)}`)
    .join(', ')}}`;
}

function functionError(errorType: string, errorMessage: string, line: string, lineNumber = 2): LambdaReply {
  return {
    functionError: true,
    body: pythonJson({
      errorMessage,
      errorType,
      requestId: randomUUID(),
      stackTrace: [`  File "/var/task/handler.py", line ${lineNumber}, in handler\n    ${line}\n`],
    }),
  };
}

/** The corpus's handler files, by file name. */
export const CORPUS_HANDLERS: Record<string, LambdaBehaviour> = {
  'id_function.py': (event) => ({ body: pythonJson(event) }),
  'echo_function.py': () => ({ body: pythonJson({ Return: 'HelloWorld' }) }),
  'return_bytes_str.py': () => ({ body: '"HelloWorld!"' }),
  'large_output_string.py': () => ({ body: JSON.stringify('a'.repeat(257 * 1024)) }),
  'raise_exception.py': () =>
    functionError('Exception', 'Some exception was raised.', 'raise Exception("Some exception was raised.")'),
  'raise_custom_exception.py': () => functionError('CustomException', '', 'raise CustomException()', 9),
  'wait_60_seconds.py': async (event) => {
    await new Promise((resolve) => setTimeout(resolve, 60_000).unref());
    return { body: pythonJson(event) };
  },
};

export class FakeLambdaServer {
  private readonly scopes = new Map<string, Record<string, LambdaBehaviour>>();
  private server: Server | undefined;
  private baseUrl = '';
  readonly invocations: { scope: string; functionName: string; event: unknown }[] = [];

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.writeHead(500);
        response.end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${address.port}`;
  }

  /** Registers functions under a fresh scope and returns the endpoint an engine should use. */
  endpointFor(functions: Record<string, LambdaBehaviour>): string {
    const scope = randomUUID();
    this.scopes.set(scope, functions);
    return `${this.baseUrl}/${scope}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const match = /^\/([^/]+)\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(request.url ?? '');
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const requestId = randomUUID();
    const functions = match?.[1] ? this.scopes.get(match[1]) : undefined;
    const functionName = decodeURIComponent(match?.[2] ?? '');
    const behaviour = functions?.[functionName];
    if (!match || !behaviour) {
      response.writeHead(404, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'ResourceNotFoundException',
        'x-amzn-requestid': requestId,
      });
      response.end(JSON.stringify({ Type: 'User', message: `Function not found: ${functionName}` }));
      return;
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const event: unknown = text === '' ? null : JSON.parse(text);
    this.invocations.push({ scope: match[1] ?? '', functionName, event });
    const reply = await behaviour(event);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-amzn-requestid': requestId,
      'x-amz-executed-version': '$LATEST',
    };
    if (reply.functionError) headers['x-amz-function-error'] = 'Unhandled';
    if (!response.destroyed) {
      response.writeHead(reply.status ?? 200, headers);
      response.end(reply.body);
    }
  }
}
