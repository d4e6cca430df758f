/**
 * The Lambda Invoke API for the functions of a template. Every function runs its bundled asset in its own child
 * processes (warm, reused, one invocation at a time each), with its own environment, memory and timeout.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionSpec } from './template';

/** Lambda's synchronous request and response limit (6 MB). */
export const SYNC_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;
/** Lambda's asynchronous (InvocationType Event) request limit (1 MB). */
export const ASYNC_PAYLOAD_LIMIT_BYTES = 1024 * 1024;

const RUNTIME_PATH = fileURLToPath(new URL('./lambda-runtime.cjs', import.meta.url));
const TAIL_LINES = 500;

export class LambdaServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LambdaServiceError';
  }
}

export interface LambdaServiceOptions {
  functions: FunctionSpec[];
  /** Logs go to `<dataDir>/logs/<functionName>.log`. */
  dataDir: string;
  /** Added to every function's environment (the local `AWS_ENDPOINT_URL_<SERVICE>` variables etc.). */
  extraEnvironment?: Record<string, string>;
  /** Warm processes per function at most; further invocations queue. */
  maxProcessesPerFunction?: number;
  region?: string;
  /** Called with every log line of every function (e.g. to print them). */
  onLog?: (functionName: string, line: string) => void;
}

export interface InvokeResult {
  statusCode: number;
  /** `Unhandled` when the function failed (Lambda's `X-Amz-Function-Error`). */
  functionError: string | undefined;
  payload: Buffer;
  requestId: string;
}

export interface LambdaService {
  invoke(
    functionNameOrArn: string,
    payload: Buffer | string,
    options?: { invocationType?: 'RequestResponse' | 'Event' | 'DryRun' },
  ): Promise<InvokeResult>;
  /** Handles `POST /2015-03-31/functions/{name}/invocations`; returns false when the path is not Lambda's. */
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
  /** The last log lines of a function (newest last). */
  logTail(functionName: string): string[];
  close(): Promise<void>;
}

interface Worker {
  child: ChildProcess;
  busy: boolean;
  exited: boolean;
  onMessage?: (message: RuntimeMessage) => void;
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

type RuntimeMessage =
  | { id: string; ok: true; body: string }
  | { id: string; ok: false; error: { errorType: string; errorMessage: string; trace: string[] } };

/** Takes `name`, `name:qualifier`, `123:function:name` or a full ARN and returns the function name. */
export function functionNameOf(nameOrArn: string): string {
  const marker = ':function:';
  const at = nameOrArn.indexOf(marker);
  const rest = at >= 0 ? nameOrArn.slice(at + marker.length) : nameOrArn;
  return rest.split(':')[0] ?? rest;
}

export function createLambdaService(options: LambdaServiceOptions): LambdaService {
  const region = options.region ?? 'us-east-1';
  const maxProcesses = options.maxProcessesPerFunction ?? 4;
  const functions = new Map(options.functions.map((fn) => [fn.functionName, fn]));
  const pools = new Map<string, Worker[]>();
  const waiters = new Map<string, ((worker: Worker) => void)[]>();
  const tails = new Map<string, string[]>();
  const logFiles = new Map<string, WriteStream>();
  const logDir = join(options.dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  let closed = false;

  const log = (functionName: string, line: string) => {
    const tail = tails.get(functionName) ?? [];
    tails.set(functionName, tail);
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.splice(0, tail.length - TAIL_LINES);
    let file = logFiles.get(functionName);
    if (!file) {
      file = createWriteStream(join(logDir, `${functionName}.log`), { flags: 'a' });
      logFiles.set(functionName, file);
    }
    // An invocation still running while the service stops must not write to a closed log (an unhandled error).
    if (!file.writableEnded && !file.destroyed) file.write(`${line}\n`);
    options.onLog?.(functionName, line);
  };

  const pipeLines = (functionName: string, stream: NodeJS.ReadableStream | null) => {
    if (!stream) return;
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) log(functionName, line);
    });
    stream.on('end', () => {
      if (pending) log(functionName, pending);
    });
  };

  const spawnWorker = (fn: FunctionSpec): Worker => {
    if (!fn.assetDir)
      throw new LambdaServiceError('ServiceException', `${fn.functionName} has no code asset`, 500);
    const environment: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: 'UTC',
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      LAMBDA_TASK_ROOT: fn.assetDir,
      _HANDLER: fn.handler,
      ...options.extraEnvironment,
      ...fn.environment,
    };
    const child = fork(RUNTIME_PATH, [], {
      cwd: fn.assetDir,
      env: environment,
      // Explicit execArgv so the parent's TypeScript loader is not inherited; heap capped like the memory setting.
      execArgv: [`--max-old-space-size=${fn.memorySize}`, '--enable-source-maps'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const worker: Worker = { child, busy: false, exited: false };
    pipeLines(fn.functionName, child.stdout);
    pipeLines(fn.functionName, child.stderr);
    child.on('message', (message) => worker.onMessage?.(message as RuntimeMessage));
    child.on('exit', (code, signal) => {
      worker.exited = true;
      const pool = pools.get(fn.functionName);
      const index = pool?.indexOf(worker) ?? -1;
      if (pool && index >= 0) pool.splice(index, 1);
      worker.onExit?.(code, signal);
    });
    child.on('error', (error) => log(fn.functionName, `local runtime error: ${error.message}`));
    return worker;
  };

  const acquire = (fn: FunctionSpec): Promise<Worker> => {
    const pool = pools.get(fn.functionName) ?? [];
    pools.set(fn.functionName, pool);
    const idle = pool.find((worker) => !worker.busy && !worker.exited);
    if (idle) {
      idle.busy = true;
      return Promise.resolve(idle);
    }
    if (pool.length < maxProcesses) {
      const worker = spawnWorker(fn);
      worker.busy = true;
      pool.push(worker);
      return Promise.resolve(worker);
    }
    return new Promise((resolve) => {
      const queue = waiters.get(fn.functionName) ?? [];
      waiters.set(fn.functionName, queue);
      queue.push(resolve);
    });
  };

  const release = (fn: FunctionSpec, worker: Worker) => {
    worker.busy = false;
    worker.onMessage = undefined;
    worker.onExit = undefined;
    const next = waiters.get(fn.functionName)?.shift();
    if (!next) return;
    if (!worker.exited) {
      worker.busy = true;
      next(worker);
    } else {
      acquire(fn).then(next);
    }
  };

  const errorPayload = (errorType: string, errorMessage: string, trace: string[] = []) =>
    Buffer.from(JSON.stringify({ errorType, errorMessage, trace }));

  const runOnce = async (fn: FunctionSpec, payload: string, requestId: string): Promise<InvokeResult> => {
    const worker = await acquire(fn);
    const started = Date.now();
    const deadline = started + fn.timeoutSeconds * 1000;
    log(fn.functionName, `START RequestId: ${requestId} Version: $LATEST`);
    const outcome = await new Promise<InvokeResult>((resolve) => {
      const timer = setTimeout(() => {
        // Marked before the kill so the worker is never handed out again while it dies.
        worker.exited = true;
        worker.child.kill('SIGKILL');
        const seconds = fn.timeoutSeconds.toFixed(2);
        resolve({
          statusCode: 200,
          functionError: 'Unhandled',
          payload: errorPayload(
            'Sandbox.Timedout',
            `RequestId: ${requestId} Error: Task timed out after ${seconds} seconds`,
          ),
          requestId,
        });
      }, deadline - started);
      worker.onMessage = (message) => {
        clearTimeout(timer);
        if (message.ok) {
          const body = Buffer.from(message.body);
          if (body.length > SYNC_PAYLOAD_LIMIT_BYTES) {
            resolve({
              statusCode: 200,
              functionError: 'Unhandled',
              payload: errorPayload(
                'Function.ResponseSizeTooLarge',
                `Response payload size exceeded maximum allowed payload size (${SYNC_PAYLOAD_LIMIT_BYTES} bytes).`,
              ),
              requestId,
            });
          } else {
            resolve({ statusCode: 200, functionError: undefined, payload: body, requestId });
          }
        } else {
          log(fn.functionName, `${message.error.errorType}: ${message.error.errorMessage}`);
          const { errorType, errorMessage, trace } = message.error;
          resolve({
            statusCode: 200,
            functionError: 'Unhandled',
            payload: errorPayload(errorType, errorMessage, trace),
            requestId,
          });
        }
      };
      worker.onExit = (code, signal) => {
        clearTimeout(timer);
        const status = signal ? `signal: ${signal === 'SIGKILL' ? 'killed' : signal}` : `exit status ${code}`;
        resolve({
          statusCode: 200,
          functionError: 'Unhandled',
          payload: errorPayload(
            'Runtime.ExitError',
            `RequestId: ${requestId} Error: Runtime exited with error: ${status}`,
          ),
          requestId,
        });
      };
      worker.child.send({
        id: requestId,
        requestId,
        payload,
        deadline,
        functionName: fn.functionName,
        functionArn: fn.arn,
        memory: fn.memorySize,
      });
    });
    const duration = Date.now() - started;
    log(fn.functionName, `END RequestId: ${requestId}`);
    log(
      fn.functionName,
      `REPORT RequestId: ${requestId}\tDuration: ${duration} ms\tMemory Size: ${fn.memorySize} MB`,
    );
    release(fn, worker);
    return outcome;
  };

  const invoke: LambdaService['invoke'] = async (functionNameOrArn, rawPayload, invokeOptions) => {
    if (closed) throw new LambdaServiceError('ServiceException', 'the Lambda service is stopped', 500);
    const name = functionNameOf(functionNameOrArn);
    const fn = functions.get(name);
    if (!fn) {
      throw new LambdaServiceError(
        'ResourceNotFoundException',
        `Function not found: arn:aws:lambda:${region}:000000000000:function:${name}`,
        404,
      );
    }
    const payload = typeof rawPayload === 'string' ? Buffer.from(rawPayload) : rawPayload;
    const invocationType = invokeOptions?.invocationType ?? 'RequestResponse';
    const limit = invocationType === 'Event' ? ASYNC_PAYLOAD_LIMIT_BYTES : SYNC_PAYLOAD_LIMIT_BYTES;
    if (payload.length > limit) {
      throw new LambdaServiceError(
        'RequestEntityTooLargeException',
        `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
        413,
      );
    }
    const text = payload.toString('utf8');
    if (text.trim() !== '') {
      try {
        JSON.parse(text);
      } catch (error) {
        throw new LambdaServiceError(
          'InvalidRequestContentException',
          'Could not parse request body into json',
          400,
          {
            cause: error,
          },
        );
      }
    }
    const requestId = randomUUID();
    if (invocationType === 'DryRun') {
      return { statusCode: 204, functionError: undefined, payload: Buffer.alloc(0), requestId };
    }
    if (invocationType === 'Event') {
      runOnce(fn, text, requestId).catch((error: unknown) =>
        log(fn.functionName, `async invocation ${requestId} failed: ${String(error)}`),
      );
      return { statusCode: 202, functionError: undefined, payload: Buffer.alloc(0), requestId };
    }
    return runOnce(fn, text, requestId);
  };

  const sendError = (response: ServerResponse, error: LambdaServiceError) => {
    response.writeHead(error.httpStatus, {
      'content-type': 'application/json',
      'x-amzn-errortype': error.code,
      'x-amzn-requestid': randomUUID(),
    });
    response.end(JSON.stringify({ Type: 'User', message: error.message, __type: error.code }));
  };

  const handle: LambdaService['handle'] = async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/.exec(url.pathname);
    if (!match?.[1]) return false;
    if (request.method !== 'POST') {
      sendError(response, new LambdaServiceError('InvalidRequestContentException', 'use POST', 405));
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    for await (const chunk of request) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > SYNC_PAYLOAD_LIMIT_BYTES) tooLarge = true;
      else chunks.push(buffer);
    }
    try {
      if (tooLarge) {
        throw new LambdaServiceError(
          'RequestEntityTooLargeException',
          `Request must be smaller than ${SYNC_PAYLOAD_LIMIT_BYTES} bytes for the InvokeFunction operation`,
          413,
        );
      }
      const invocationType = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      if (!['RequestResponse', 'Event', 'DryRun'].includes(invocationType)) {
        throw new LambdaServiceError(
          'InvalidParameterValueException',
          `bad invocation type ${invocationType}`,
          400,
        );
      }
      const result = await invoke(decodeURIComponent(match[1]), Buffer.concat(chunks), {
        invocationType: invocationType as 'RequestResponse' | 'Event' | 'DryRun',
      });
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-amzn-requestid': result.requestId,
        'x-amz-executed-version': '$LATEST',
      };
      if (result.functionError) headers['x-amz-function-error'] = result.functionError;
      response.writeHead(result.statusCode, headers);
      response.end(result.payload);
    } catch (error) {
      sendError(
        response,
        error instanceof LambdaServiceError
          ? error
          : new LambdaServiceError('ServiceException', String(error), 500, { cause: error }),
      );
    }
    return true;
  };

  const close = async () => {
    closed = true;
    const exits: Promise<void>[] = [];
    for (const pool of pools.values()) {
      for (const worker of [...pool]) {
        if (worker.exited) continue;
        exits.push(new Promise((resolve) => worker.child.once('exit', () => resolve())));
        worker.child.kill('SIGKILL');
      }
    }
    await Promise.all(exits);
    await Promise.all(
      [...logFiles.values()].map((file) => new Promise<void>((resolve) => file.end(() => resolve()))),
    );
  };

  return { invoke, handle, logTail: (name) => [...(tails.get(name) ?? [])], close };
}
