/** HTTP pieces of the local S3: XML answers, object headers, ranges, conditional requests, object metadata. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { XMLParser } from 'fast-xml-parser';
import { type XmlValue, xmlElement } from './aws-query';
import { S3Error } from './s3-auth';
import type { NewObject, StoredObject } from './s3-store';

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
export const STORED_HEADERS = [
  'content-disposition',
  'content-encoding',
  'cache-control',
  'content-language',
  'expires',
];
export const xmlBody = new XMLParser({
  isArray: (name) => name === 'Part' || name === 'Object',
  parseTagValue: false,
});

export interface Target {
  bucket: string;
  key: string;
  query: URLSearchParams;
}

export const iso = (time: string) => new Date(time).toISOString();

export function sendXml(
  response: ServerResponse,
  status: number,
  name: string,
  value: XmlValue,
  headers = {},
): void {
  const inner = xmlElement(name, value).replace(`<${name}>`, `<${name} xmlns="${XMLNS}">`);
  response.writeHead(status, { 'content-type': 'application/xml', ...headers });
  response.end(`<?xml version="1.0" encoding="UTF-8"?>\n${inner}`);
}

export function objectHeaders(object: StoredObject, query: URLSearchParams): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': query.get('response-content-type') ?? object.contentType,
    etag: object.etag,
    'last-modified': new Date(object.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
  };
  for (const name of STORED_HEADERS) {
    const value = query.get(`response-${name}`) ?? object.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` → [start, end] inclusive; undefined = the whole object. */
export function rangeOf(header: string | undefined, size: number): [number, number] | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match) return undefined;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return undefined;
  const range: [number, number] =
    from === ''
      ? [Math.max(0, size - Number(to)), size - 1]
      : [Number(from), to === '' ? size - 1 : Math.min(Number(to), size - 1)];
  if (range[0] >= size || range[0] > range[1] || (from === '' && Number(to) === 0)) {
    throw new S3Error('InvalidRange', 'The requested range is not satisfiable', 416, {
      ActualObjectSize: String(size),
    });
  }
  return range;
}

/** 304/412 answers to If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since. */
export function preconditionStatus(request: IncomingMessage, object: StoredObject): number | undefined {
  const modified = Math.floor(Date.parse(object.lastModified) / 1000) * 1000;
  const ifMatch = request.headers['if-match'];
  if (
    ifMatch &&
    ifMatch !== '*' &&
    !ifMatch
      .split(',')
      .map((t) => t.trim())
      .includes(object.etag)
  )
    return 412;
  const since = request.headers['if-unmodified-since'];
  if (!ifMatch && since && modified > Date.parse(since)) return 412;
  const noneMatch = request.headers['if-none-match'];
  if (
    noneMatch &&
    (noneMatch === '*' ||
      noneMatch
        .split(',')
        .map((t) => t.trim())
        .includes(object.etag))
  )
    return 304;
  const modifiedSince = request.headers['if-modified-since'];
  if (!noneMatch && modifiedSince && modified <= Date.parse(modifiedSince)) return 304;
  return undefined;
}

export function newObjectFrom(
  request: IncomingMessage,
  bucket: string,
  key: string,
  checksums: Record<string, string>,
): NewObject {
  const headers: Record<string, string> = {};
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value !== 'string') continue;
    if (name.startsWith('x-amz-meta-')) metadata[name.slice('x-amz-meta-'.length)] = value;
    // aws-chunked is the transfer framing, not the object's encoding.
    else if (STORED_HEADERS.includes(name)) {
      const kept =
        name === 'content-encoding'
          ? value
              .split(',')
              .map((v) => v.trim())
              .filter((v) => v !== 'aws-chunked')
              .join(', ')
          : value;
      if (kept) headers[name] = kept;
    }
  }
  const contentType = String(request.headers['content-type'] ?? 'binary/octet-stream');
  return { bucket, key, contentType, headers, metadata, checksums };
}
