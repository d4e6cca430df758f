/**
 * Helpers for AWS's XML protocols: the Query protocol (SNS: `Action=...` form bodies, XML answers) and the XML
 * elements S3 answers with; and the SigV4 signing service of a request (which local service it is meant for).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './http-util';

export type XmlValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | XmlValue[]
  | { [name: string]: XmlValue };

export const escapeXml = (text: string) =>
  text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );

/** `<name>…</name>`; an array repeats the element; undefined and null are left out. */
export function xmlElement(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((item) => xmlElement(name, item)).join('');
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value)
      .map(([key, inner]) => xmlElement(key, inner))
      .join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** The service a SigV4 request was signed for (`sns`, `s3`, ...), from its Authorization header or presigned query. */
export function signingServiceOf(request: IncomingMessage): string | undefined {
  const authorization = String(request.headers.authorization ?? '');
  const fromHeader = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization)?.[1];
  if (fromHeader) return fromHeader;
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams.get('X-Amz-Credential');
  return query ? query.split('/')[3] : undefined;
}

export class QueryApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
  ) {
    super(message);
    this.name = 'QueryApiError';
  }
}

/** Answers a Query-protocol request (`POST /`, form body with `Action`) of `service`; false for other requests. */
export async function serveAwsQuery(
  request: IncomingMessage,
  response: ServerResponse,
  service: {
    name: string;
    xmlns: string;
    dispatch: (action: string, params: URLSearchParams) => Promise<XmlValue>;
  },
): Promise<boolean> {
  const contentType = String(request.headers['content-type'] ?? '');
  if (request.method !== 'POST' || !contentType.startsWith('application/x-www-form-urlencoded')) return false;
  const signedFor = signingServiceOf(request);
  if (signedFor !== undefined && signedFor !== service.name) return false;
  const requestId = randomUUID();
  const params = new URLSearchParams((await readBody(request, 1024 * 1024)).toString('utf8'));
  const action = params.get('Action') ?? '';
  try {
    const result = await service.dispatch(action, params);
    const body =
      `<${action}Response xmlns="${service.xmlns}">${xmlElement(`${action}Result`, result ?? {})}` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
    response.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
    response.end(body);
  } catch (error) {
    const apiError =
      error instanceof QueryApiError ? error : new QueryApiError('InternalError', String(error), 500);
    response.writeHead(apiError.httpStatus, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
    response.end(
      `<ErrorResponse xmlns="${service.xmlns}"><Error><Type>${apiError.httpStatus >= 500 ? 'Receiver' : 'Sender'}</Type>` +
        `<Code>${escapeXml(apiError.code)}</Code><Message>${escapeXml(apiError.message)}</Message></Error>` +
        `<RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
  }
  return true;
}
