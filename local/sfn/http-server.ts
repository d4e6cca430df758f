/**
 * HTTP front of the local Step Functions engine: the AWS JSON 1.0 protocol that the AWS SDKs and the AWS CLI
 * speak (`POST /`, `X-Amz-Target: AWSStepFunctions.<Action>`). Signatures are accepted without checking.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SfnApiError } from './errors';
import type { StepFunctionsEngine } from './service-api';

const JSON_10 = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AWSStepFunctions.';
/** Definitions may be 1 MiB and inputs 256 KiB; leave room for escaping. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Every action of the Step Functions API; anything else is `UnknownOperationException`, as on AWS. */
export const STEP_FUNCTIONS_ACTIONS: ReadonlySet<string> = new Set([
  'CreateActivity',
  'CreateStateMachine',
  'CreateStateMachineAlias',
  'DeleteActivity',
  'DeleteStateMachine',
  'DeleteStateMachineAlias',
  'DeleteStateMachineVersion',
  'DescribeActivity',
  'DescribeExecution',
  'DescribeMapRun',
  'DescribeStateMachine',
  'DescribeStateMachineAlias',
  'DescribeStateMachineForExecution',
  'GetActivityTask',
  'GetExecutionHistory',
  'ListActivities',
  'ListExecutions',
  'ListMapRuns',
  'ListStateMachineAliases',
  'ListStateMachineVersions',
  'ListStateMachines',
  'ListTagsForResource',
  'PublishStateMachineVersion',
  'RedriveExecution',
  'SendTaskFailure',
  'SendTaskHeartbeat',
  'SendTaskSuccess',
  'StartExecution',
  'StartSyncExecution',
  'StopExecution',
  'TagResource',
  'TestState',
  'UntagResource',
  'UpdateMapRun',
  'UpdateStateMachine',
  'UpdateStateMachineAlias',
  'ValidateStateMachineDefinition',
]);

export interface SfnServerOptions {
  engine: StepFunctionsEngine;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Where unexpected engine failures are reported (the client gets a 500); defaults to stderr. */
  onInternalError?: (action: string, error: unknown) => void;
}

export interface SfnServer {
  /** `http://<host>:<port>`, ready to use as an SDK `endpoint`. */
  url: string;
  port: number;
  /** Stops accepting requests and drops open keep-alive connections; does not close the engine. */
  close(): Promise<void>;
}

export class SfnServerStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SfnServerStartError';
  }
}

class RequestTooLargeError extends Error {
  constructor() {
    super(`request body exceeds ${MAX_BODY_BYTES} bytes`);
    this.name = 'RequestTooLargeError';
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
      } else if (!tooLarge) {
        // Keep reading and dropping the rest so that the client still receives the 413 answer.
        tooLarge = true;
        chunks.length = 0;
        reject(new RequestTooLargeError());
      }
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': JSON_10,
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...headers,
  });
  response.end(text);
}

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  // The SDKs read the code from `__type` or from this header; both are set as AWS does.
  send(response, status, { __type: code, message }, { 'x-amzn-ErrorType': code });
}

function parseInput(text: string): Record<string, unknown> | SfnApiError {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return new SfnApiError(
      'SerializationException',
      `Malformed request body: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return new SfnApiError('SerializationException', 'Request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

async function handle(
  engine: StepFunctionsEngine,
  onInternalError: (action: string, error: unknown) => void,
  request: IncomingMessage,
  response: ServerResponse,
) {
  const target = request.headers['x-amz-target'];
  const action =
    typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  if (request.method !== 'POST' || !STEP_FUNCTIONS_ACTIONS.has(action)) {
    request.resume();
    sendError(response, 400, 'UnknownOperationException', `Unknown operation ${String(target ?? '')}`.trim());
    return;
  }
  let text: string;
  try {
    text = await readBody(request);
  } catch (error) {
    if (!(error instanceof RequestTooLargeError)) {
      response.destroy();
      return;
    }
    // Answer once the upload has been drained; answering mid-upload makes clients see a reset instead.
    const answer = () => sendError(response, 413, 'SerializationException', error.message);
    if (request.complete) answer();
    else request.once('end', answer);
    return;
  }
  const input = parseInput(text);
  if (input instanceof SfnApiError) {
    sendError(response, input.httpStatus, input.code, input.message);
    return;
  }
  try {
    send(response, 200, await engine.dispatch(action, input));
  } catch (error) {
    if (error instanceof SfnApiError) {
      sendError(response, error.httpStatus, error.code, error.message);
      return;
    }
    // A bug in the engine must not kill the server; the client sees a 500 like an AWS outage.
    onInternalError(action, error);
    sendError(response, 500, 'InternalFailure', error instanceof Error ? error.message : String(error));
  }
}

export async function startSfnServer(options: SfnServerOptions): Promise<SfnServer> {
  const host = options.host ?? '127.0.0.1';
  const onInternalError =
    options.onInternalError ??
    ((action: string, error: unknown) => console.error(`sfn-local: ${action} failed`, error));
  const server = createServer((request, response) => {
    handle(options.engine, onInternalError, request, response).catch((error: unknown) => {
      onInternalError('(request handling)', error);
      if (!response.headersSent) sendError(response, 500, 'InternalFailure', 'internal error');
      else response.destroy();
    });
  });
  // The SDK keeps connections alive; a short idle timeout would reset them mid-use under load.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) =>
      reject(
        new SfnServerStartError(`cannot listen on ${host}:${options.port}: ${error.message}`, {
          cause: error,
        }),
      );
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
