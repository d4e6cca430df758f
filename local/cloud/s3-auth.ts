/**
 * What the local S3 checks on a request: SigV4 presigned URLs (algorithm, `X-Amz-Expires` up to a week, expiry from
 * `X-Amz-Date`, and the signature itself for the access keys it knows: the functions' `local`/`local`), and the
 * bodies the SDK sends (`aws-chunked` with trailing checksums, `Content-MD5`, `x-amz-checksum-*`).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { crc32 } from 'node:zlib';

export class S3Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'S3Error';
  }
}

const MAX_EXPIRES_SECONDS = 604_800;
const encode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text).digest();

/** `20260102T030405Z` → Date. */
function parseAmzDate(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return m
    ? new Date(
        Date.UTC(+(m[1] ?? 0), +(m[2] ?? 1) - 1, +(m[3] ?? 1), +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)),
      )
    : undefined;
}

/** Checks a presigned request (`X-Amz-Algorithm` in the query); does nothing for other requests. */
export function checkPresignedRequest(
  request: IncomingMessage,
  credentials: Record<string, string>,
  now = new Date(),
): void {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const query = url.searchParams;
  if (!query.has('X-Amz-Algorithm')) return;
  if (query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
    );
  }
  const credential = query.get('X-Amz-Credential') ?? '';
  const [accessKey = '', day = '', region = '', service = ''] = credential.split('/');
  const signed = parseAmzDate(query.get('X-Amz-Date') ?? '');
  const expiresText = query.get('X-Amz-Expires') ?? '';
  if (
    !signed ||
    !/^\d+$/.test(expiresText) ||
    !query.get('X-Amz-Signature') ||
    !query.get('X-Amz-SignedHeaders')
  ) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  const expires = Number(expiresText);
  if (expires > MAX_EXPIRES_SECONDS) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_EXPIRES_SECONDS}`,
    );
  }
  if (now.getTime() > signed.getTime() + expires * 1000) {
    throw new S3Error('AccessDenied', 'Request has expired', 403, {
      'X-Amz-Expires': expiresText,
      Expires: new Date(signed.getTime() + expires * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ServerTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }
  const secret = credentials[accessKey];
  if (secret === undefined) return;
  const signedHeaders = (query.get('X-Amz-SignedHeaders') ?? '').split(';');
  const canonicalQuery = [...query.entries()]
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [encode(name), encode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const headerLines = signedHeaders
    .map(
      (name) =>
        `${name}:${String(request.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const rawPath = (request.url ?? '/').split('?')[0] ?? '/';
  const canonical = [
    request.method ?? 'GET',
    rawPath,
    canonicalQuery,
    headerLines,
    signedHeaders.join(';'),
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = [
    'AWS4-HMAC-SHA256',
    query.get('X-Amz-Date'),
    scope,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  const expected = Buffer.from(hmac(key, toSign).toString('hex'));
  const given = Buffer.from(query.get('X-Amz-Signature') ?? '');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new S3Error(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      403,
    );
  }
}

/** Decodes an `aws-chunked` body (signed or unsigned chunks) and returns the data and its trailing headers. */
export function decodeAwsChunked(body: Buffer): { data: Buffer; trailers: Record<string, string> } {
  const chunks: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd < 0) throw new S3Error('IncompleteBody', 'The request body terminated unexpectedly');
    const size = Number.parseInt(body.subarray(offset, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (Number.isNaN(size))
      throw new S3Error(
        'InvalidChunkSizeError',
        'Only the last chunk is allowed to have a size less than 8192 bytes',
      );
    offset = lineEnd + 2;
    if (size === 0) break;
    chunks.push(body.subarray(offset, offset + size));
    offset += size + 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of body.subarray(offset).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { data: Buffer.concat(chunks), trailers };
}

const CHECKSUMS: Record<string, ((data: Buffer) => string) | undefined> = {
  crc32: (data) => {
    const value = Buffer.alloc(4);
    value.writeUInt32BE(crc32(data) >>> 0);
    return value.toString('base64');
  },
  sha1: (data) => createHash('sha1').update(data).digest('base64'),
  sha256: (data) => createHash('sha256').update(data).digest('base64'),
  // crc32c and crc64nvme have no Node built-in: kept as sent, not verified.
  crc32c: undefined,
  crc64nvme: undefined,
};

/** The request's body data and its whole-object checksums, verified where Node can compute them. */
export function readPayload(
  request: IncomingMessage,
  raw: Buffer,
): { data: Buffer; checksums: Record<string, string> } {
  const streaming =
    String(request.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-') ||
    String(request.headers['content-encoding'] ?? '').includes('aws-chunked');
  const { data, trailers } = streaming ? decodeAwsChunked(raw) : { data: raw, trailers: {} };
  const md5 = request.headers['content-md5'];
  if (typeof md5 === 'string' && createHash('md5').update(data).digest('base64') !== md5) {
    throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  const checksums: Record<string, string> = {};
  for (const algorithm of Object.keys(CHECKSUMS)) {
    const header = `x-amz-checksum-${algorithm}`;
    const value = trailers[header] ?? request.headers[header];
    if (typeof value !== 'string') continue;
    const compute = CHECKSUMS[algorithm];
    if (compute && compute(data) !== value) {
      throw new S3Error(
        'BadDigest',
        `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
      );
    }
    checksums[algorithm] = value;
  }
  return { data, checksums };
}
