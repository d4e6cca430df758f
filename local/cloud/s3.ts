/**
 * A local Amazon S3 (REST-XML) for the template's buckets: PutObject, GetObject (ranges, conditional headers,
 * response-* overrides), HeadObject, DeleteObject(s), CopyObject, ListObjectsV2, multipart uploads, HeadBucket,
 * ListBuckets; path-style (what the SDK uses for an IP endpoint) and `<bucket>.localhost` addressing; presigned
 * URLs checked by `s3-auth.ts`. Requests without credentials are refused, as on a private bucket.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { signingServiceOf } from './aws-query';
import { BodyTooLargeError, readBody } from './http-util';
import { checkPresignedRequest, readPayload, S3Error } from './s3-auth';
import {
  iso,
  newObjectFrom,
  objectHeaders,
  preconditionStatus,
  rangeOf,
  sendXml,
  type Target,
  xmlBody,
} from './s3-http';
import { serveMultipart } from './s3-multipart';
import { createS3Store, type S3Store, type StoredObject } from './s3-store';
import type { BucketSpec } from './template';

export interface LocalS3 {
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
  store: S3Store;
  close(): void;
}

export function createLocalS3(options: {
  buckets: BucketSpec[];
  dataDir: string;
  /** Access keys whose presigned signatures are verified. @default { local: 'local' } (the functions' keys) */
  credentials?: Record<string, string>;
  maxObjectBytes?: number;
}): LocalS3 {
  const buckets = new Map(options.buckets.map((bucket) => [bucket.name, bucket]));
  const created = new Date().toISOString();
  const store = createS3Store(options.dataDir);
  const credentials = options.credentials ?? { local: 'local' };
  const maxObjectBytes = options.maxObjectBytes ?? 512 * 1024 * 1024;

  /** Bucket and key from the Host (`<bucket>.localhost`) or the path (`/<bucket>/<key>`). */
  const targetOf = (request: IncomingMessage): Target | undefined => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const host = String(request.headers.host ?? '').split(':')[0] ?? '';
    const virtual = [...buckets.keys()].find(
      (name) => host.startsWith(`${name}.`) && host.endsWith('localhost'),
    );
    const path = url.pathname.slice(1);
    if (virtual) return { bucket: virtual, key: decodeURIComponent(path), query: url.searchParams };
    const slash = path.indexOf('/');
    const bucket = decodeURIComponent(slash < 0 ? path : path.slice(0, slash));
    return {
      bucket,
      key: slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1)),
      query: url.searchParams,
    };
  };

  const isS3Request = (request: IncomingMessage, target: Target | undefined): boolean => {
    const service = signingServiceOf(request);
    if (service !== undefined) return service === 's3';
    return target !== undefined && buckets.has(target.bucket);
  };

  const body = async (request: IncomingMessage) => {
    try {
      return readPayload(request, await readBody(request, maxObjectBytes + 1024 * 1024));
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        throw new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
      throw error;
    }
  };

  const getObject = (request: IncomingMessage, response: ServerResponse, { bucket, key, query }: Target) => {
    const object = store.get(bucket, key);
    if (!object) throw new S3Error('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
    const status = preconditionStatus(request, object);
    const headers = objectHeaders(object, query);
    if (status) {
      if (status === 412)
        throw new S3Error(
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
          412,
        );
      response.writeHead(304, { etag: object.etag, 'last-modified': headers['last-modified'] ?? '' });
      response.end();
      return;
    }
    const range = rangeOf(request.headers.range, object.size);
    if (!range && request.headers['x-amz-checksum-mode'] === 'ENABLED') {
      for (const [algorithm, value] of Object.entries(object.checksums))
        headers[`x-amz-checksum-${algorithm}`] = value;
      if (Object.keys(object.checksums).length) headers['x-amz-checksum-type'] = 'FULL_OBJECT';
    }
    const [start, end] = range ?? [0, object.size - 1];
    headers['content-length'] = String(Math.max(0, end - start + 1));
    if (range) headers['content-range'] = `bytes ${start}-${end}/${object.size}`;
    response.writeHead(range ? 206 : 200, headers);
    if (request.method === 'HEAD' || object.size === 0) response.end();
    else createReadStream(object.file, { start, end }).pipe(response);
  };

  const putObject = async (request: IncomingMessage, response: ServerResponse, { bucket, key }: Target) => {
    const copySource = request.headers['x-amz-copy-source'];
    if (typeof copySource === 'string') {
      const source = decodeURIComponent(copySource.split('?')[0] ?? '').replace(/^\//, '');
      const slash = source.indexOf('/');
      const original = store.get(source.slice(0, slash), source.slice(slash + 1));
      if (!original)
        throw new S3Error('NoSuchKey', 'The specified key does not exist.', 404, {
          Key: source.slice(slash + 1),
        });
      request.resume();
      const replace = request.headers['x-amz-metadata-directive'] === 'REPLACE';
      const described = replace
        ? newObjectFrom(request, bucket, key, original.checksums)
        : { ...original, bucket, key };
      const { size: _s, etag: _e, lastModified: _l, file: _f, ...fields } = described as StoredObject;
      const copy = store.put(fields, readFileSync(original.file));
      sendXml(response, 200, 'CopyObjectResult', { ETag: copy.etag, LastModified: iso(copy.lastModified) });
      return;
    }
    const { data, checksums } = await body(request);
    const stored = store.put(newObjectFrom(request, bucket, key, checksums), data);
    const headers: Record<string, string> = { etag: stored.etag };
    for (const [algorithm, value] of Object.entries(checksums))
      headers[`x-amz-checksum-${algorithm}`] = value;
    response.writeHead(200, headers);
    response.end();
  };

  const listObjects = (response: ServerResponse, { bucket, query }: Target) => {
    const prefix = query.get('prefix') ?? '';
    const delimiter = query.get('delimiter') ?? '';
    const maxKeys = Math.min(1000, Number(query.get('max-keys') ?? 1000));
    const token = query.get('continuation-token');
    const after = token ? Buffer.from(token, 'base64url').toString('utf8') : (query.get('start-after') ?? '');
    const encode =
      query.get('encoding-type') === 'url'
        ? (text: string) => encodeURIComponent(text)
        : (text: string) => text;
    const contents: StoredObject[] = [];
    const prefixes: string[] = [];
    let last = after;
    let truncated = false;
    for (const object of store.list(bucket, prefix, after)) {
      const rest = object.key.slice(prefix.length);
      const cut = delimiter ? rest.indexOf(delimiter) : -1;
      const common = cut >= 0 ? prefix + rest.slice(0, cut + delimiter.length) : undefined;
      if (common && (prefixes.at(-1) === common || (after.startsWith(common) && token))) continue;
      if (contents.length + prefixes.length >= maxKeys) {
        truncated = true;
        break;
      }
      if (common) prefixes.push(common);
      else contents.push(object);
      // Resuming after a common prefix skips all its keys: the token is the prefix's last possible key.
      last = common ? `${common}\u{10FFFF}` : object.key;
    }
    sendXml(response, 200, 'ListBucketResult', {
      Name: bucket,
      Prefix: encode(prefix),
      Delimiter: delimiter ? encode(delimiter) : undefined,
      MaxKeys: maxKeys,
      KeyCount: contents.length + prefixes.length,
      IsTruncated: truncated,
      ContinuationToken: token ?? undefined,
      NextContinuationToken: truncated ? Buffer.from(last).toString('base64url') : undefined,
      StartAfter: query.get('start-after') ? encode(query.get('start-after') ?? '') : undefined,
      EncodingType: query.get('encoding-type') ?? undefined,
      Contents: contents.map((o) => ({
        Key: encode(o.key),
        LastModified: iso(o.lastModified),
        ETag: o.etag,
        Size: o.size,
        StorageClass: 'STANDARD',
      })),
      CommonPrefixes: prefixes.map((p) => ({ Prefix: encode(p) })),
    });
  };

  const route = async (request: IncomingMessage, response: ServerResponse, target: Target) => {
    const { bucket, key, query } = target;
    const method = request.method ?? 'GET';
    if (bucket === '') {
      if (method !== 'GET')
        throw new S3Error(
          'MethodNotAllowed',
          'The specified method is not allowed against this resource.',
          405,
        );
      sendXml(response, 200, 'ListAllMyBucketsResult', {
        Owner: { ID: 'local', DisplayName: 'local' },
        Buckets: { Bucket: [...buckets.keys()].map((Name) => ({ Name, CreationDate: created })) },
      });
      return;
    }
    if (!buckets.has(bucket))
      throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket });
    if (await serveMultipart(request, response, target, store, body)) return;
    const subresources = [
      'acl',
      'policy',
      'versioning',
      'tagging',
      'cors',
      'lifecycle',
      'website',
      'versions',
      'uploads',
      'notification',
      'encryption',
      'torrent',
      'retention',
      'legal-hold',
      'attributes',
    ];
    const unsupported = subresources.find((name) => query.has(name));
    if (unsupported)
      throw new S3Error(
        'NotImplemented',
        `A header or query you provided implies functionality that is not implemented (?${unsupported}).`,
        501,
      );
    if (key === '') {
      if (method === 'HEAD')
        return void response.writeHead(200, { 'x-amz-bucket-region': 'us-east-1' }).end();
      if (method === 'GET' && query.has('location')) return sendXml(response, 200, 'LocationConstraint', '');
      if (method === 'GET') return listObjects(response, target);
      if (method === 'POST' && query.has('delete')) {
        const { data } = await body(request);
        const parsed = xmlBody.parse(data.toString('utf8')) as {
          Delete?: { Object?: { Key?: string }[]; Quiet?: string };
        };
        const keys = (parsed.Delete?.Object ?? []).map((o) => String(o.Key ?? ''));
        for (const each of keys) store.remove(bucket, each);
        return sendXml(response, 200, 'DeleteResult', {
          Deleted: parsed.Delete?.Quiet === 'true' ? undefined : keys.map((Key) => ({ Key })),
        });
      }
      throw new S3Error(
        'NotImplemented',
        `the local S3 has no ${method} on a bucket (buckets come from the template)`,
        501,
      );
    }
    if (method === 'GET' || method === 'HEAD') return getObject(request, response, target);
    if (method === 'PUT') return putObject(request, response, target);
    if (method === 'DELETE') {
      request.resume();
      store.remove(bucket, key);
      return void response.writeHead(204).end();
    }
    throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
  };

  const handle: LocalS3['handle'] = async (request, response) => {
    const target = targetOf(request);
    if (!isS3Request(request, target) || !target) return false;
    const requestId = randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase();
    response.setHeader('x-amz-request-id', requestId);
    try {
      const signed = signingServiceOf(request) !== undefined;
      if (!signed) throw new S3Error('AccessDenied', 'Access Denied', 403);
      checkPresignedRequest(request, credentials);
      await route(request, response, target);
    } catch (error) {
      request.resume();
      const s3Error = error instanceof S3Error ? error : new S3Error('InternalError', String(error), 500);
      if (response.headersSent) response.destroy();
      else if (request.method === 'HEAD') response.writeHead(s3Error.httpStatus).end();
      else {
        sendXml(response, s3Error.httpStatus, 'Error', {
          Code: s3Error.code,
          Message: s3Error.message,
          ...s3Error.extra,
          RequestId: requestId,
        });
      }
    }
    return true;
  };

  return { handle, store, close: () => store.close() };
}
