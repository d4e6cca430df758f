// Runs inside one child process per warm Lambda "sandbox": loads the bundled handler once, then answers
// invocations sent over IPC one at a time. Plain CommonJS so it starts without a TypeScript loader.
'use strict';
const path = require('node:path');
const { provideRuntimeModules } = require('./runtime-modules.cjs');

const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
// The handler finds the runtime's AWS SDK and its own files, nothing else of this project (runtime-modules.cjs).
provideRuntimeModules(taskRoot);
const handlerSpec = process.env._HANDLER || 'index.handler';
let handlerFunction;

function loadHandler() {
  if (handlerFunction) return handlerFunction;
  const dot = handlerSpec.lastIndexOf('.');
  const modulePath = path.resolve(taskRoot, handlerSpec.slice(0, dot));
  const exportName = handlerSpec.slice(dot + 1);
  let loaded;
  try {
    loaded = require(modulePath);
  } catch (error) {
    const wrapped = new Error(`Error: Cannot load module '${handlerSpec.slice(0, dot)}': ${error?.message}`);
    wrapped.name = 'Runtime.ImportModuleError';
    wrapped.stack = error?.stack || wrapped.stack;
    throw wrapped;
  }
  const candidate = loaded?.[exportName];
  if (typeof candidate !== 'function') {
    const missing = new Error(`${handlerSpec} is undefined or not exported`);
    missing.name = 'Runtime.HandlerNotFound';
    throw missing;
  }
  handlerFunction = candidate;
  return candidate;
}

function describeError(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name && error.name !== 'Error' ? error.name : error.constructor.name || 'Error',
      errorMessage: error.message,
      trace: String(error.stack || '').split('\n'),
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

// Lambda's Node runtime prefixes console output with time, request id and level.
let currentRequestId;
for (const [method, level] of [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['debug', 'DEBUG'],
]) {
  const original = console[method].bind(console);
  console[method] = (...args) => {
    const text = require('node:util').format(...args);
    original(`${new Date().toISOString()}\t${currentRequestId || 'undefined'}\t${level}\t${text}`);
  };
}

process.on('message', async (message) => {
  const { id, requestId, payload, deadline, functionName, functionArn, memory } = message;
  currentRequestId = requestId;
  // Lambda sets a fresh X-Ray trace header per invocation (Powertools Tracer reads it); not sampled locally.
  const traceRoot = `1-${Math.floor(Date.now() / 1000).toString(16)}-${require('node:crypto').randomBytes(12).toString('hex')}`;
  process.env._X_AMZN_TRACE_ID = `Root=${traceRoot};Parent=${require('node:crypto').randomBytes(8).toString('hex')};Sampled=0`;
  const context = {
    awsRequestId: requestId,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: String(memory),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${process.pid}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    succeed: () => {},
    fail: () => {},
  };
  try {
    const handler = loadHandler();
    const event = payload === '' ? {} : JSON.parse(payload);
    const result = await new Promise((resolve, reject) => {
      const callback = (error, value) => (error ? reject(error) : resolve(value));
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
      else if (handler.length < 3) resolve(returned);
    });
    const body = result === undefined ? 'null' : JSON.stringify(result);
    process.send({ id, ok: true, body: body === undefined ? 'null' : body });
  } catch (error) {
    process.send({ id, ok: false, error: describeError(error) });
  }
});

// The local cloud went away (even by kill -9): a sandbox without its host must not linger.
process.on('disconnect', () => process.exit(0));

process.on('unhandledRejection', (reason) => {
  console.error('Unhandled Promise Rejection', reason);
  process.exit(128);
});
