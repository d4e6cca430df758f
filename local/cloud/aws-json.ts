/** The AWS JSON 1.0/1.1 protocol: `X-Amz-Target: <prefix>.<Action>`, JSON bodies, `__type` errors. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './http-util';

/** An error of an AWS JSON API, with the code the SDKs turn into an exception name. */
export class AwsApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AwsApiError';
  }
}

export type JsonObject = Record<string, unknown>;
export type ActionHandler = (input: JsonObject) => JsonObject | Promise<JsonObject>;

/** Largest JSON request body the local AWS APIs read (Secrets Manager and EventBridge are far below). */
const REQUEST_LIMIT_BYTES = 16 * 1024 * 1024;

/** Answers one AWS JSON request whose target starts with `prefix.`; returns false for other targets. */
export async function serveAwsJson(
  request: IncomingMessage,
  response: ServerResponse,
  prefix: string,
  contentType: 'application/x-amz-json-1.0' | 'application/x-amz-json-1.1',
  dispatch: (action: string, input: JsonObject) => Promise<JsonObject>,
): Promise<boolean> {
  const target = String(request.headers['x-amz-target'] ?? '');
  if (!target.startsWith(`${prefix}.`)) return false;
  const action = target.slice(prefix.length + 1);
  const requestId = crypto.randomUUID();
  try {
    const text = (await readBody(request, REQUEST_LIMIT_BYTES)).toString('utf8');
    let input: unknown;
    try {
      input = text.trim() === '' ? {} : JSON.parse(text);
    } catch (error) {
      throw new AwsApiError(
        'SerializationException',
        'Start of structure or map found where not expected',
        400,
        {
          cause: error,
        },
      );
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new AwsApiError('SerializationException', 'the request body must be a JSON object');
    }
    const output = await dispatch(action, input as JsonObject);
    response.writeHead(200, { 'content-type': contentType, 'x-amzn-requestid': requestId });
    response.end(JSON.stringify(output));
  } catch (error) {
    const apiError = toAwsApiError(error);
    response.writeHead(apiError.httpStatus, {
      'content-type': contentType,
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': apiError.code,
    });
    response.end(JSON.stringify({ __type: apiError.code, message: apiError.message }));
  }
  return true;
}

function toAwsApiError(error: unknown): AwsApiError {
  if (error instanceof AwsApiError) return error;
  // Errors from other local services (e.g. the Step Functions engine's SfnApiError) carry code and status too.
  const shaped = error as { code?: unknown; httpStatus?: unknown; message?: unknown };
  if (typeof shaped?.code === 'string') {
    return new AwsApiError(
      shaped.code,
      String(shaped.message ?? shaped.code),
      typeof shaped.httpStatus === 'number' ? shaped.httpStatus : 400,
      { cause: error },
    );
  }
  return new AwsApiError('InternalFailure', String(error), 500, { cause: error });
}

/** Dispatches to a table of actions; unknown actions get AWS's `UnknownOperationException`. */
export function actionTable(actions: Record<string, ActionHandler>) {
  return async (action: string, input: JsonObject): Promise<JsonObject> => {
    const handler = Object.hasOwn(actions, action) ? actions[action] : undefined;
    if (!handler) throw new AwsApiError('UnknownOperationException', `Unknown operation ${action}`);
    return handler(input);
  };
}

export const optionalString = (input: JsonObject, key: string): string | undefined => {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new AwsApiError('InvalidParameterException', `${key} must be a string`);
  return value;
};

export const requiredString = (input: JsonObject, key: string): string => {
  const value = optionalString(input, key);
  if (value === undefined || value === '') {
    throw new AwsApiError('InvalidParameterException', `You must provide a value for the ${key} parameter.`);
  }
  return value;
};
