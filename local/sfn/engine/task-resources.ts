import { randomUUID } from 'node:crypto';
import { StatesError } from '../errors';
import type { RecordedEvent } from '../service-api';
import { postJson } from './http-post';

/** What a Task's resource did: its result, or a named error (matched by Retry/Catch). */
export type ResourceOutcome = { result: unknown } | { error: string; cause: string };

export interface ResourceSettings {
  lambdaEndpoint?: string;
  dynamodbEndpoint?: string;
  eventBridgeEndpoint?: string;
  region: string;
  accountId: string;
  recordEvent: (event: RecordedEvent) => void;
}

export type ResourceKind =
  | { kind: 'lambda-legacy'; functionName: string }
  | { kind: 'lambda-invoke'; waitForTaskToken: boolean }
  | { kind: 'dynamodb'; action: 'getItem' | 'putItem' | 'updateItem' | 'deleteItem' }
  | { kind: 'events-put'; waitForTaskToken: boolean }
  | { kind: 'activity'; activityArn: string }
  | { kind: 'unsupported' };

const PAYLOAD_LIMIT_BYTES = 256 * 1024;

export function classifyResource(resource: string): ResourceKind {
  const legacy = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(resource);
  if (legacy?.[1]) return { kind: 'lambda-legacy', functionName: legacy[1] };
  if (resource === 'arn:aws:states:::lambda:invoke')
    return { kind: 'lambda-invoke', waitForTaskToken: false };
  if (resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken') {
    return { kind: 'lambda-invoke', waitForTaskToken: true };
  }
  const dynamo = /^arn:aws:states:::dynamodb:(getItem|putItem|updateItem|deleteItem)$/.exec(resource);
  if (dynamo?.[1]) {
    return { kind: 'dynamodb', action: dynamo[1] as 'getItem' | 'putItem' | 'updateItem' | 'deleteItem' };
  }
  if (resource === 'arn:aws:states:::events:putEvents')
    return { kind: 'events-put', waitForTaskToken: false };
  if (resource === 'arn:aws:states:::events:putEvents.waitForTaskToken') {
    return { kind: 'events-put', waitForTaskToken: true };
  }
  if (/^arn:aws[\w-]*:states:[^:]+:[^:]+:activity:[^:]+$/.test(resource)) {
    return { kind: 'activity', activityArn: resource };
  }
  return { kind: 'unsupported' };
}

/** `resourceType` / `resource` as the history's Task events name them (`lambda` / `invoke`). */
export function historyResourceNames(resource: string): { resourceType: string; resource: string } {
  const match = /^arn:aws:states:::([^:]+):(.+)$/.exec(resource);
  if (match?.[1] && match[2]) return { resourceType: match[1], resource: match[2] };
  return { resourceType: 'unknown', resource };
}

function functionNameOf(nameOrArn: string): string {
  const arn = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(nameOrArn);
  if (arn?.[1]) return arn[1];
  return nameOrArn.split(':')[0] ?? nameOrArn;
}

interface LambdaResponse {
  status: number;
  body: string;
  functionError: string | null;
  requestId: string;
  headers: Record<string, string>;
}

async function postLambda(
  settings: ResourceSettings,
  functionName: string,
  payload: unknown,
  signal: AbortSignal,
): Promise<LambdaResponse> {
  if (!settings.lambdaEndpoint) {
    throw new StatesError('States.Runtime', 'No Lambda endpoint is configured for this engine.');
  }
  const url = `${settings.lambdaEndpoint.replace(/\/$/, '')}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`;
  const response = await postJson(url, lambdaRequestBody(payload), signal);
  return {
    ...response,
    functionError: response.headers['x-amz-function-error'] ?? null,
    requestId: response.headers['x-amzn-requestid'] ?? randomUUID(),
  };
}

/**
 * Step Functions hands a string Payload to Lambda as raw bytes when it is JSON text already (`"0.0"`, `"{}"`),
 * and JSON-encodes any other value; a missing or null Payload is `{}`.
 */
function lambdaRequestBody(payload: unknown): string {
  if (payload === undefined || payload === null) return '{}';
  if (typeof payload === 'string') {
    try {
      JSON.parse(payload);
      return payload;
    } catch {
      return JSON.stringify(payload);
    }
  }
  return JSON.stringify(payload);
}

function parseMaybeJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function invokeLambda(
  settings: ResourceSettings,
  nameOrArn: string,
  payload: unknown,
  signal: AbortSignal,
  style: 'legacy' | 'integration',
): Promise<{ outcome: ResourceOutcome; response?: LambdaResponse }> {
  const functionName = functionNameOf(nameOrArn);
  const response = await postLambda(settings, functionName, payload, signal);
  if (response.status === 404) {
    const arn = `arn:aws:lambda:${settings.region}:${settings.accountId}:function:${functionName}:$LATEST`;
    return {
      outcome: {
        error: 'Lambda.ResourceNotFoundException',
        cause: `Function not found: ${arn} (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: ${response.requestId}; Proxy: null)`,
      },
    };
  }
  if (response.status >= 400 && !response.functionError) {
    const parsed = parseMaybeJson(response.body);
    const code =
      parsed && typeof parsed === 'object' && '__type' in parsed ? String(parsed.__type) : 'ServiceException';
    return { outcome: { error: `Lambda.${code.split('#').pop()}`, cause: response.body } };
  }
  if (response.functionError) {
    const parsed = parseMaybeJson(response.body);
    const errorType =
      parsed && typeof parsed === 'object' && 'errorType' in parsed ? String(parsed.errorType) : 'Exception';
    // The optimized integration re-serialises the error document compactly; the legacy ARN passes it as is.
    const cause =
      style === 'integration' && parsed && typeof parsed === 'object'
        ? JSON.stringify(parsed)
        : response.body;
    return { outcome: { error: errorType, cause } };
  }
  if (Buffer.byteLength(response.body) > PAYLOAD_LIMIT_BYTES) {
    const task =
      style === 'integration'
        ? 'lambda'
        : `arn:aws:lambda:${settings.region}:${settings.accountId}:function:${functionName}`;
    return {
      outcome: {
        error: 'States.DataLimitExceeded',
        cause: `The state/task '${task}' returned a result with a size exceeding the maximum number of bytes service limit.`,
      },
    };
  }
  return { outcome: { result: parseMaybeJson(response.body) }, response };
}

function lambdaEnvelope(payload: unknown, response: LambdaResponse): Record<string, unknown> {
  const requestId = response.requestId;
  const date = response.headers.date ?? new Date().toUTCString();
  const contentLength = String(Buffer.byteLength(response.body));
  const traceId =
    response.headers['x-amzn-trace-id'] ?? `Root=1-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
  return {
    ExecutedVersion: '$LATEST',
    Payload: payload,
    SdkHttpMetadata: {
      AllHttpHeaders: {
        'X-Amz-Executed-Version': ['$LATEST'],
        'x-amzn-Remapped-Content-Length': ['0'],
        Connection: ['keep-alive'],
        'x-amzn-RequestId': [requestId],
        'Content-Length': [contentLength],
        Date: [date],
        'X-Amzn-Trace-Id': [traceId],
        'Content-Type': ['application/json'],
      },
      HttpHeaders: {
        Connection: 'keep-alive',
        'Content-Length': contentLength,
        'Content-Type': 'application/json',
        Date: date,
        'X-Amz-Executed-Version': '$LATEST',
        'x-amzn-Remapped-Content-Length': '0',
        'x-amzn-RequestId': requestId,
        'X-Amzn-Trace-Id': traceId,
      },
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: 200,
  };
}

function stringField(parameters: unknown, field: string): string | undefined {
  if (parameters && typeof parameters === 'object' && field in parameters) {
    const value = (parameters as Record<string, unknown>)[field];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

/** Runs one attempt of a Task's resource with its resolved parameters (Parameters / Arguments). */
export async function runResource(
  settings: ResourceSettings,
  resource: string,
  kind: ResourceKind,
  parameters: unknown,
  executionArn: string,
  signal: AbortSignal,
): Promise<ResourceOutcome> {
  try {
    switch (kind.kind) {
      case 'lambda-legacy':
        return (await invokeLambda(settings, kind.functionName, parameters, signal, 'legacy')).outcome;
      case 'lambda-invoke': {
        const functionName = stringField(parameters, 'FunctionName');
        if (!functionName) {
          return { error: 'States.Runtime', cause: 'The lambda:invoke integration requires a FunctionName.' };
        }
        const payload =
          parameters && typeof parameters === 'object' && 'Payload' in parameters
            ? (parameters as Record<string, unknown>).Payload
            : undefined;
        const { outcome, response } = await invokeLambda(
          settings,
          functionName,
          payload,
          signal,
          'integration',
        );
        if (!('result' in outcome) || !response) return outcome;
        return { result: lambdaEnvelope(outcome.result, response) };
      }
      case 'dynamodb':
        return await runDynamoDb(settings, kind.action, parameters);
      case 'events-put':
        return await putEvents(settings, parameters, executionArn);
      case 'activity':
      case 'unsupported':
        // Activities never reach here: their workers take them from the activity board.
        return {
          error: 'States.Runtime',
          cause: `The resource '${resource}' is not supported by this local Step Functions engine.`,
        };
    }
  } catch (error) {
    if (signal.aborted) throw error;
    if (error instanceof StatesError) return { error: error.error, cause: error.causeText };
    return { error: 'States.TaskFailed', cause: error instanceof Error ? error.message : String(error) };
  }
}

async function runDynamoDb(
  settings: ResourceSettings,
  action: 'getItem' | 'putItem' | 'updateItem' | 'deleteItem',
  parameters: unknown,
): Promise<ResourceOutcome> {
  const dynamo = await import('@aws-sdk/client-dynamodb');
  const client = new dynamo.DynamoDBClient({
    region: settings.region,
    endpoint: settings.dynamodbEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    // The ASL Parameters are the command input exactly as the user wrote it.
    const input = parameters as never;
    const output: object =
      action === 'getItem'
        ? await client.send(new dynamo.GetItemCommand(input))
        : action === 'putItem'
          ? await client.send(new dynamo.PutItemCommand(input))
          : action === 'updateItem'
            ? await client.send(new dynamo.UpdateItemCommand(input))
            : await client.send(new dynamo.DeleteItemCommand(input));
    const { $metadata: _metadata, ...result } = output as Record<string, unknown>;
    return { result };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'UnknownError';
    const message = error instanceof Error ? error.message : String(error);
    return { error: `DynamoDB.${name}`, cause: message };
  } finally {
    client.destroy();
  }
}

async function putEvents(
  settings: ResourceSettings,
  parameters: unknown,
  executionArn: string,
): Promise<ResourceOutcome> {
  const entries =
    parameters &&
    typeof parameters === 'object' &&
    'Entries' in parameters &&
    Array.isArray(parameters.Entries)
      ? (parameters.Entries as Record<string, unknown>[])
      : [];
  const time = new Date().toISOString();
  const normalised = entries.map((entry) => ({
    ...entry,
    Detail: typeof entry.Detail === 'string' ? entry.Detail : JSON.stringify(entry.Detail ?? {}),
  }));
  for (const entry of normalised) settings.recordEvent({ executionArn, time, entry });
  if (settings.eventBridgeEndpoint) {
    const eventBridge = await import('@aws-sdk/client-eventbridge');
    const client = new eventBridge.EventBridgeClient({
      region: settings.region,
      endpoint: settings.eventBridgeEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      // Entries are forwarded as the user wrote them.
      const output = await client.send(new eventBridge.PutEventsCommand({ Entries: normalised as never }));
      const { $metadata: _metadata, ...result } = output;
      return { result };
    } catch (error) {
      const name = error instanceof Error ? error.name : 'UnknownError';
      return { error: `EventBridge.${name}`, cause: error instanceof Error ? error.message : String(error) };
    } finally {
      client.destroy();
    }
  }
  return { result: { Entries: normalised.map(() => ({ EventId: randomUUID() })), FailedEntryCount: 0 } };
}
