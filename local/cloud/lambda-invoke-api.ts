/** Lambda's Invoke API over HTTP (`POST /2015-03-31/functions/{name}/invocations`) and its error shapes. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Lambda's synchronous request and response limit (6 MB). */
export const SYNC_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;
/** Lambda's asynchronous (InvocationType Event) request limit (1 MB). */
export const ASYNC_PAYLOAD_LIMIT_BYTES = 1024 * 1024;

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

type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';
type Invoke = (
  name: string,
  payload: Buffer,
  options: { invocationType: InvocationType },
) => Promise<{ statusCode: number; functionError: string | undefined; payload: Buffer; requestId: string }>;

function sendError(response: ServerResponse, error: LambdaServiceError): void {
  response.writeHead(error.httpStatus, {
    'content-type': 'application/json',
    'x-amzn-errortype': error.code,
    'x-amzn-requestid': randomUUID(),
  });
  response.end(JSON.stringify({ Type: 'User', message: error.message, __type: error.code }));
}

/** Answers one Invoke request; false when the path is not Lambda's. */
export async function serveInvokeApi(
  request: IncomingMessage,
  response: ServerResponse,
  invoke: Invoke,
): Promise<boolean> {
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
      invocationType: invocationType as InvocationType,
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
}
