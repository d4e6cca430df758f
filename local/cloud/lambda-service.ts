/**
 * The Lambda Invoke API for the functions of a template. Every function runs its bundled asset in its own child
 * processes (warm, reused, one invocation at a time each), with its own environment, memory and timeout.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFaultStore, type FaultStore } from './lambda-faults';
import {
  ASYNC_PAYLOAD_LIMIT_BYTES,
  LambdaServiceError,
  SYNC_PAYLOAD_LIMIT_BYTES,
  serveInvokeApi,
} from './lambda-invoke-api';
import { createFunctionLogs } from './lambda-logs';
import { nodeBinaryForRuntime } from './node-runtime';
import type { FunctionSpec } from './template';

export { ASYNC_PAYLOAD_LIMIT_BYTES, LambdaServiceError, SYNC_PAYLOAD_LIMIT_BYTES } from './lambda-invoke-api';

const RUNTIME_PATH = fileURLToPath(new URL('./lambda-runtime.cjs', import.meta.url));

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
  /** The Node binary for a runtime (`nodejs22.x`). @default nodeBinaryForRuntime (installs on first use) */
  nodeBinaryFor?: (runtime: string) => Promise<string>;
  /** Progress lines (e.g. while a Node runtime installs). */
  onProgress?: (line: string) => void;
  /** Waits before the retries of a failed asynchronous invocation. @default [60_000, 120_000] (Lambda's) */
  asyncRetryDelaysMillis?: number[];
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
  /** Injected failures (`PUT /_local/faults`). */
  faults: Pick<FaultStore, 'set' | 'list'>;
  /** A function's physical name from its name, logical id or ARN; undefined when the template has none. */
  resolveFunctionName(nameOrLogicalIdOrArn: string): string | undefined;
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
  const faults = createFaultStore(join(options.dataDir, 'lambda-faults.sqlite'));
  const nodeBinaryFor =
    options.nodeBinaryFor ??
    ((runtime: string) => nodeBinaryForRuntime(runtime, { onProgress: options.onProgress }));
  const resolveFunctionName = (nameOrLogicalIdOrArn: string): string | undefined => {
    const name = functionNameOf(nameOrLogicalIdOrArn);
    if (functions.has(name)) return name;
    return options.functions.find((fn) => fn.logicalId === nameOrLogicalIdOrArn)?.functionName;
  };
  const pools = new Map<string, Worker[]>();
  const waiters = new Map<string, ((worker: Worker) => void)[]>();
  const logs = createFunctionLogs(join(options.dataDir, 'logs'), options.onLog);
  const log = logs.log;
  let closed = false;
  const retryDelays = options.asyncRetryDelaysMillis ?? [60_000, 120_000];
  const retryTimers = new Set<NodeJS.Timeout>();

  const spawnWorker = (fn: FunctionSpec, nodeBinary: string): Worker => {
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
      // The Node major the template's runtime names (nodejs22.x → Node 22), as Lambda runs it.
      execPath: nodeBinary,
      env: environment,
      // Explicit execArgv so the parent's TypeScript loader is not inherited; heap capped like the memory setting.
      execArgv: [
        `--max-old-space-size=${fn.memorySize}`,
        '--enable-source-maps',
        ...(process.env.TENGGAT_LAMBDA_EXEC_ARGV?.split(' ').filter(Boolean) ?? []),
      ],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const worker: Worker = { child, busy: false, exited: false };
    logs.pipeLines(fn.functionName, child.stdout);
    logs.pipeLines(fn.functionName, child.stderr);
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

  const acquire = async (fn: FunctionSpec): Promise<Worker> => {
    const pool = pools.get(fn.functionName) ?? [];
    pools.set(fn.functionName, pool);
    const idle = pool.find((worker) => !worker.busy && !worker.exited);
    if (idle) {
      idle.busy = true;
      return idle;
    }
    if (pool.length < maxProcesses) {
      let nodeBinary: string;
      try {
        nodeBinary = await nodeBinaryFor(fn.runtime);
      } catch (error) {
        throw new LambdaServiceError('ServiceException', (error as Error).message, 500, { cause: error });
      }
      // Another invocation may have filled the pool while the binary was looked up.
      if (pool.length >= maxProcesses) return acquire(fn);
      const worker = spawnWorker(fn, nodeBinary);
      worker.busy = true;
      pool.push(worker);
      return worker;
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
      acquire(fn)
        .then(next)
        .catch((error: unknown) => log(fn.functionName, `local runtime error: ${String(error)}`));
    }
  };

  const errorPayload = (errorType: string, errorMessage: string, trace: string[] = []) =>
    Buffer.from(JSON.stringify({ errorType, errorMessage, trace }));

  /** An injected fault fails the invocation as a crashing handler does (Unhandled, errorType/errorMessage/trace). */
  const injectedFailure = (
    fn: FunctionSpec,
    requestId: string,
    payload: string,
  ): InvokeResult | undefined => {
    const fault = faults.take(fn.functionName, payload);
    if (!fault) return undefined;
    const message = `Injected fault ${fault.index} of ${fault.of} (PUT /_local/faults)`;
    log(fn.functionName, `START RequestId: ${requestId} Version: $LATEST`);
    log(fn.functionName, `Error: ${message}`);
    log(fn.functionName, `END RequestId: ${requestId}`);
    log(fn.functionName, `REPORT RequestId: ${requestId}\tDuration: 0 ms\tMemory Size: ${fn.memorySize} MB`);
    return {
      statusCode: 200,
      functionError: 'Unhandled',
      payload: errorPayload('Error', message, [
        `Error: ${message}`,
        '    at localFault (local/cloud/lambda-faults.ts)',
      ]),
      requestId,
    };
  };

  const runOnce = async (fn: FunctionSpec, payload: string, requestId: string): Promise<InvokeResult> => {
    const injected = injectedFailure(fn, requestId, payload);
    if (injected) return injected;
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

  /** An asynchronous invocation that fails is retried (twice by default, after 1 and 2 minutes), as Lambda does. */
  const runAsync = (fn: FunctionSpec, payload: string, requestId: string, attempt: number): void => {
    runOnce(fn, payload, requestId)
      .then((result) => {
        const retries = fn.maximumRetryAttempts ?? 2;
        if (!result.functionError || attempt >= retries || closed) return;
        const delay = retryDelays[Math.min(attempt, retryDelays.length - 1)] ?? 60_000;
        log(
          fn.functionName,
          `async invocation ${requestId} failed: retry ${attempt + 1} of ${retries} in ${delay} ms`,
        );
        const timer = setTimeout(() => {
          retryTimers.delete(timer);
          if (!closed) runAsync(fn, payload, requestId, attempt + 1);
        }, delay);
        retryTimers.add(timer);
      })
      .catch((error: unknown) =>
        log(fn.functionName, `async invocation ${requestId} failed: ${String(error)}`),
      );
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
      runAsync(fn, text, requestId, 0);
      return { statusCode: 202, functionError: undefined, payload: Buffer.alloc(0), requestId };
    }
    return runOnce(fn, text, requestId);
  };

  const handle: LambdaService['handle'] = async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/_local/faults') return faults.handle(request, response, resolveFunctionName);
    return serveInvokeApi(request, response, invoke);
  };

  const close = async () => {
    closed = true;
    for (const timer of retryTimers) clearTimeout(timer);
    const exits: Promise<void>[] = [];
    for (const pool of pools.values()) {
      for (const worker of [...pool]) {
        if (worker.exited) continue;
        exits.push(new Promise((resolve) => worker.child.once('exit', () => resolve())));
        worker.child.kill('SIGKILL');
      }
    }
    await Promise.all(exits);
    await logs.close();
    faults.close();
  };

  return {
    invoke,
    handle,
    logTail: logs.tail,
    faults,
    resolveFunctionName,
    close,
  };
}
